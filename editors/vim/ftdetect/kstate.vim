" Files ending in .kstate are kstate descriptions of stateful Kubernetes components.
autocmd BufRead,BufNewFile *.kstate setfiletype kstate
