-- kstate for Neovim: starts `kstatec lsp` for kstate buffers, with whatever
-- the running Neovim offers: vim.lsp.config/enable (0.11+), vim.lsp.start in a
-- FileType autocommand (0.8-0.10), or vim.lsp.start_client (0.7).
local M = {}

local uv = vim.uv or vim.loop

-- What setup() uses when given nothing.
M.defaults = {
  cmd = { "kstatec", "lsp" },
  filetypes = { "kstate" },
  root_markers = { ".git" },
  settings = {},
}

-- The client of each root directory, on Neovim 0.7 (later versions reuse clients themselves).
local clients_by_root = {}

-- The nearest directory at or above the file `path` that holds one of
-- `markers` (a `.git` directory or file), else the file's own directory.
function M.root_dir(path, markers)
  markers = markers or M.defaults.root_markers
  local start = vim.fn.fnamemodify(path ~= "" and path or vim.fn.getcwd(), ":p")
  if vim.fn.isdirectory(start) == 0 then
    start = vim.fn.fnamemodify(start, ":h")
  end
  start = start:gsub("/+$", "")
  if start == "" then
    start = "/"
  end
  local dir = start
  while true do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return start
    end
    dir = parent
  end
end

-- The configuration setup() was given, over the defaults. Lists (`cmd`,
-- `filetypes`, `root_markers`) replace the defaults rather than merge with them.
local function resolve(opts)
  opts = opts or {}
  local config = vim.deepcopy(M.defaults)
  for key, value in pairs(opts) do
    config[key] = vim.deepcopy(value)
  end
  return config
end

local function client_config(config, root)
  return {
    name = "kstate",
    cmd = config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    settings = config.settings,
    on_attach = config.on_attach,
    capabilities = config.capabilities,
  }
end

-- Starts (or reuses) the server for buffer `bufnr` and attaches it; returns the client id.
function M.start(bufnr, config)
  config = config or resolve()
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local root = M.root_dir(vim.api.nvim_buf_get_name(bufnr), config.root_markers)
  if vim.lsp.start then
    -- 0.8-0.10: reuses a running client of the same name and root.
    return vim.api.nvim_buf_call(bufnr, function()
      return vim.lsp.start(client_config(config, root), { bufnr = bufnr })
    end)
  end
  -- 0.7: one client per root, attached by hand.
  local id = clients_by_root[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(client_config(config, root))
    if not id then
      vim.notify("kstate: could not start " .. table.concat(config.cmd, " "), vim.log.levels.ERROR)
      return nil
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

-- Registers the server for kstate buffers. opts: `cmd` (default
-- {"kstatec", "lsp"}), `filetypes`, `root_markers`, `settings`, `on_attach`,
-- `capabilities`.
function M.setup(opts)
  local config = resolve(opts)
  if vim.filetype and vim.filetype.add then
    vim.filetype.add({ extension = { kstate = "kstate" } })
  end

  if vim.lsp.config and vim.lsp.enable then
    -- 0.11+: the built-in registry starts and reuses clients.
    vim.lsp.config("kstate", {
      cmd = config.cmd,
      filetypes = config.filetypes,
      root_dir = function(bufnr, on_dir)
        on_dir(M.root_dir(vim.api.nvim_buf_get_name(bufnr), config.root_markers))
      end,
      settings = config.settings,
      on_attach = config.on_attach,
      capabilities = config.capabilities,
    })
    vim.lsp.enable("kstate")
    return
  end

  local group = vim.api.nvim_create_augroup("kstate_lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.filetypes,
    desc = "kstate: start kstatec lsp",
    callback = function(args)
      M.start(args.buf, config)
    end,
  })
  -- Buffers that were already open when setup() ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      M.start(bufnr, config)
    end
  end
end

return M
