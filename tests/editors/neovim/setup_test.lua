-- Checks editors/neovim/lua/kstate: setup() loads, registers its FileType
-- autocommand, and opening .kstate files starts the configured command once per
-- root directory (nearest `.git`, else the file's directory). The LSP client
-- functions are replaced by recorders: no server runs. Run by check_neovim.py;
-- failures go to $KSTATE_TEST_OUT and the editor exits with :cquit.
local failures = {}
local function check(ok, message)
  if not ok then
    table.insert(failures, message)
  end
end

local function finish()
  vim.fn.writefile(failures, vim.env.KSTATE_TEST_OUT)
  vim.cmd(#failures == 0 and "qall!" or "cquit!")
end

local ok, kstate = pcall(require, "kstate")
if not ok then
  check(false, "require('kstate') failed: " .. tostring(kstate))
  finish()
  return
end

-- Recorders in place of the client functions of every supported version.
local started, attached = {}, {}
local next_id = 100
local fake_clients = {}
vim.lsp.start_client = function(config)
  next_id = next_id + 1
  table.insert(started, config)
  fake_clients[next_id] = { id = next_id, is_stopped = function() return false end }
  return next_id
end
vim.lsp.get_client_by_id = function(id)
  return fake_clients[id]
end
vim.lsp.buf_attach_client = function(bufnr, id)
  table.insert(attached, { bufnr = bufnr, id = id })
  return true
end
if vim.lsp.start then
  -- 0.8-0.10: vim.lsp.start reuses a client of the same name and root itself.
  local by_root = {}
  vim.lsp.start = function(config, opts)
    if not by_root[config.root_dir] then
      by_root[config.root_dir] = vim.lsp.start_client(config)
    end
    table.insert(attached, { bufnr = (opts or {}).bufnr or vim.api.nvim_get_current_buf(), id = by_root[config.root_dir] })
    return by_root[config.root_dir]
  end
end
if vim.lsp.config and vim.lsp.enable then
  -- 0.11+: setup() hands everything to the built-in registry.
  kstate.setup({ cmd = { "/path/to/kstatec", "lsp" } })
  local config = vim.lsp.config["kstate"]
  check(config ~= nil and vim.deep_equal(config.cmd, { "/path/to/kstatec", "lsp" }), "vim.lsp.config['kstate'] does not have the given cmd")
  finish()
  return
end

-- Defaults: the root marker and the command.
check(vim.deep_equal(kstate.defaults.cmd, { "kstatec", "lsp" }), "default cmd is not {'kstatec', 'lsp'}: " .. vim.inspect(kstate.defaults.cmd))

-- A project with `.git` and a nested file; a file in a directory without one.
local tmp = vim.fn.tempname()
local root = tmp .. "/project"
vim.fn.mkdir(root .. "/.git", "p")
vim.fn.mkdir(root .. "/db", "p")
vim.fn.mkdir(tmp .. "/loose", "p")
check(kstate.root_dir(root .. "/db/orders.kstate") == root, "root_dir of a nested file: " .. kstate.root_dir(root .. "/db/orders.kstate"))
check(kstate.root_dir(tmp .. "/loose/a.kstate") == tmp .. "/loose", "root_dir without .git: " .. kstate.root_dir(tmp .. "/loose/a.kstate"))

kstate.setup({ cmd = { "/path/to/kstatec", "lsp" } })
local autocmds = vim.api.nvim_get_autocmds({ group = "kstate_lsp", event = "FileType" })
check(#autocmds == 1, "expected one FileType autocommand in group kstate_lsp, found " .. #autocmds)
check(autocmds[1] == nil or autocmds[1].pattern == "kstate", "the autocommand's pattern is not kstate: " .. vim.inspect(autocmds[1]))

vim.cmd("edit " .. vim.fn.fnameescape(root .. "/db/orders.kstate"))
check(vim.bo.filetype == "kstate", "filetype of a .kstate file is '" .. vim.bo.filetype .. "' (is editors/vim on 'runtimepath'?)")
check(#started == 1, "opening a .kstate file started " .. #started .. " clients, expected 1")
if started[1] then
  check(vim.deep_equal(started[1].cmd, { "/path/to/kstatec", "lsp" }), "started cmd: " .. vim.inspect(started[1].cmd))
  check(started[1].root_dir == root, "started root_dir: " .. tostring(started[1].root_dir) .. ", expected " .. root)
  check(started[1].name == "kstate", "client name: " .. tostring(started[1].name))
end
check(#attached == 1 and attached[1].bufnr == vim.api.nvim_get_current_buf(), "the buffer was not attached: " .. vim.inspect(attached))

-- A second file of the same project reuses the client; another directory gets its own.
vim.cmd("edit " .. vim.fn.fnameescape(root .. "/cache.kstate"))
check(#started == 1, "a second file of one root started another client")
check(#attached == 2 and attached[2].id == attached[1].id, "the second file was not attached to the first client: " .. vim.inspect(attached))
vim.cmd("edit " .. vim.fn.fnameescape(tmp .. "/loose/a.kstate"))
check(#started == 2 and started[2].root_dir == tmp .. "/loose", "a file outside the project did not get a client rooted at its directory")

-- Other file types start nothing.
vim.cmd("edit " .. vim.fn.fnameescape(tmp .. "/notes.txt"))
check(#started == 2, "a .txt file started a client")

-- setup() without options uses `kstatec lsp`; calling it again replaces the autocommand.
kstate.setup()
check(#vim.api.nvim_get_autocmds({ group = "kstate_lsp", event = "FileType" }) == 1, "setup() twice left more than one autocommand")
vim.cmd("edit " .. vim.fn.fnameescape(tmp .. "/other/b.kstate"))
check(started[#started] ~= nil and vim.deep_equal(started[#started].cmd, { "kstatec", "lsp" }), "setup() without options did not start `kstatec lsp`")

-- lsp/kstate.lua, for 0.11's vim.lsp.enable('kstate').
local files = vim.api.nvim_get_runtime_file("lsp/kstate.lua", false)
check(#files == 1, "lsp/kstate.lua is not on 'runtimepath'")
if files[1] then
  local spec = dofile(files[1])
  check(vim.deep_equal(spec.cmd, { "kstatec", "lsp" }) and vim.deep_equal(spec.filetypes, { "kstate" }), "lsp/kstate.lua: " .. vim.inspect(spec))
  local got
  spec.root_dir(vim.api.nvim_get_current_buf(), function(dir) got = dir end)
  check(got == tmp .. "/other", "lsp/kstate.lua root_dir gave " .. tostring(got))
end

vim.fn.delete(tmp, "rf")
finish()
