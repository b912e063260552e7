// WukongApply: kubeconfig, libcurl client, server-side apply, diff, prune.
