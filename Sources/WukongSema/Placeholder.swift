// WukongSema
