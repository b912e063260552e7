// WukongKubernetes
