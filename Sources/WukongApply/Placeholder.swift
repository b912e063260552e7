// WukongApply
