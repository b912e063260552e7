import WukongCompiler
print("wukongc")
