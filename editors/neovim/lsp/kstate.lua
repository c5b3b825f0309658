-- The kstate language server for Neovim 0.11+'s `vim.lsp.enable('kstate')`,
-- found on 'runtimepath' (add editors/neovim). require("kstate").setup() does
-- the same with options.
return {
  cmd = { "kstatec", "lsp" },
  filetypes = { "kstate" },
  root_dir = function(bufnr, on_dir)
    on_dir(require("kstate").root_dir(vim.api.nvim_buf_get_name(bufnr)))
  end,
}
