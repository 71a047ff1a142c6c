"""Local control plane for demos and tests: builds the pinned toolchain and runs
etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok nodes."""
