// WukongCompiler
