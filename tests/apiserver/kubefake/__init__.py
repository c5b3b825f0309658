"""kubefake: the pieces of the fake kube-apiserver used by kstate's runtime tests.

One role per module: certs/kubeconfig (TLS material), auth (who is asking),
status (Status bodies), resources (the served API), store (objects, resource
versions, watch fan-out), fieldsets (server-side apply bookkeeping), defaults
and validation (what the real registry strategies do), patches (merge, strategic
and JSON patches, the YAML subset), registry (REST semantics), watch, tables,
http_server (transport and routing), controller/pods (StatefulSet controller,
kubelet and garbage collector simulation) and scripting (fault injection).
"""
