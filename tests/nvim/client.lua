-- Drives Neovim's own LSP client against `kstatec lsp` for check_nvim.py: opens
-- the file of the plan ($KSTATE_NVIM_PLAN), waits for diagnostics, sends the
-- plan's requests, and writes everything it got to $KSTATE_NVIM_OUT as JSON.
local plan = vim.json.decode(table.concat(vim.fn.readfile(vim.env.KSTATE_NVIM_PLAN), "\n"))
local TIMEOUT_MS = 5000

-- What the Python driver reads back; `error` is set when a step failed.
local out = { client_path = plan.client_path, requests = {}, log_path = vim.lsp.get_log_path() }
vim.lsp.set_log_level(plan.log_level)

-- Everything Neovim reports through vim.notify (e.g. "method ... is not supported").
out.notifications = {}
vim.notify = function(msg, level)
  table.insert(out.notifications, { message = tostring(msg), level = level })
end

-- Records the command each client is started with and how its server exited.
-- Both paths below end in vim.lsp.start_client (0.8+'s vim.lsp.start calls it too).
out.exits = {}
local start_client = vim.lsp.start_client
vim.lsp.start_client = function(config)
  out.started_cmd = config.cmd
  local on_exit = config.on_exit
  config.on_exit = function(code, signal, client_id)
    table.insert(out.exits, { code = code, signal = signal })
    if on_exit then
      on_exit(code, signal, client_id)
    end
  end
  return start_client(config)
end

-- Each publishDiagnostics as the server sent it (UTF-16 positions); the last
-- one goes into the code action request. Neovim's own handler still runs.
out.published = {}
local publish = vim.lsp.handlers["textDocument/publishDiagnostics"]
vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
  table.insert(out.published, result)
  return publish(err, result, ctx, config)
end

-- A failure the test expects to be possible: reported without a traceback.
local function fail(message)
  error({ message = message })
end

-- Waits up to TIMEOUT_MS for `condition`; fails with `what` on a timeout or
-- when the server exits first.
local function wait_for(what, condition)
  vim.wait(TIMEOUT_MS, function()
    return condition() or #out.exits > 0
  end, 20)
  if condition() then
    return
  elseif #out.exits > 0 then
    local exit = out.exits[1]
    fail(string.format("the server exited (code %d, signal %d) while waiting for %s", exit.code, exit.signal, what))
  end
  fail(string.format("timed out after %d ms waiting for %s", TIMEOUT_MS, what))
end

-- Starts the server for the buffer about to be opened: through the project's
-- plugin (editors/neovim, on 'runtimepath' via --cmd), or the 0.7 API by hand.
local function start_server(cmd)
  if plan.client_path == "plugin" then
    require("kstate").setup({ cmd = cmd })
    vim.cmd("edit " .. vim.fn.fnameescape(plan.file))
  else
    vim.cmd("edit " .. vim.fn.fnameescape(plan.file))
    local id = vim.lsp.start_client({ name = "kstate", cmd = cmd, root_dir = vim.fn.fnamemodify(plan.file, ":h") })
    assert(id, "vim.lsp.start_client failed")
    vim.lsp.buf_attach_client(0, id)
  end
end

-- The clients attached to `bufnr` (vim.lsp.get_clients from 0.10 on).
local function buffer_clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr })
  end
  return vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
end

-- The first result of a vim.lsp.buf_request_sync answer (one client), or an error.
local function request(bufnr, method, params)
  local answers, err = vim.lsp.buf_request_sync(bufnr, method, params, TIMEOUT_MS)
  if not answers then
    fail(string.format("%s: no answer (%s)", method, tostring(err)))
  end
  local _, answer = next(answers)
  if not answer then
    fail(method .. ": no client answered (is the method in the server's capabilities?)")
  end
  return { result = answer.result, error = answer.error or answer.err }
end

local function run()
  start_server({ vim.env.KSTATEC, "lsp" })
  local bufnr = vim.api.nvim_get_current_buf()
  out.filetype = vim.bo[bufnr].filetype

  wait_for("a client to attach to the buffer (and the server to answer `initialize`)", function()
    return #buffer_clients(bufnr) > 0
  end)
  local client = buffer_clients(bufnr)[1]
  out.client_name = client.name

  wait_for("diagnostics on the buffer", function()
    return #vim.diagnostic.get(bufnr) > 0
  end)
  out.diagnostics = vim.diagnostic.get(bufnr)

  local doc = { uri = vim.uri_from_bufnr(bufnr) }
  for _, step in ipairs(plan.requests) do
    local params = { textDocument = doc }
    if step.position then
      params.position = step.position
    end
    if step.method == "textDocument/references" then
      params.context = { includeDeclaration = true }
    elseif step.method == "textDocument/codeAction" then
      -- The diagnostics of the line, as the server sent them, for the quick fix.
      params.range = { start = step.position, ["end"] = step.position }
      params.context = {
        diagnostics = vim.tbl_filter(function(d)
          return d.range.start.line == step.position.line
        end, out.published[#out.published].diagnostics),
      }
    end
    local answer = request(bufnr, step.method, params)
    answer.name = step.name
    if step.method == "textDocument/hover" and answer.result then
      -- What Neovim's hover window would show.
      answer.rendered = vim.lsp.util.convert_input_to_markdown_lines(answer.result.contents)
    end
    out.requests[step.name] = answer
  end

  -- Go to definition the way a user does: the built-in handler moves the cursor.
  if plan.jump then
    vim.api.nvim_win_set_cursor(0, { plan.jump.line + 1, plan.jump.col })
    vim.lsp.buf.definition()
    local from = vim.api.nvim_win_get_cursor(0)
    wait_for("vim.lsp.buf.definition() to move the cursor", function()
      return not vim.deep_equal(vim.api.nvim_win_get_cursor(0), from)
    end)
    local cursor = vim.api.nvim_win_get_cursor(0)
    out.jump = { line = cursor[1] - 1, col = cursor[2] }
  end

  -- Apply the quick fix as Neovim does (an incremental didChange): the diagnostics go.
  local fix = out.requests.fix and out.requests.fix.result and out.requests.fix.result[1]
  if fix and fix.edit then
    vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
    out.fixed_line = vim.api.nvim_buf_get_lines(bufnr, plan.fixed_line, plan.fixed_line + 1, true)[1]
    wait_for("the diagnostics to go after the quick fix", function()
      return #vim.diagnostic.get(bufnr) == 0
    end)
  end
  out.capabilities = client.server_capabilities

  -- A clean shutdown: `shutdown`, `exit`, and the server's exit code.
  vim.lsp.stop_client(client.id)
  wait_for("the server to exit after shutdown/exit", function()
    return #out.exits > 0
  end)
end

-- Any other error is a bug in this script or in Neovim: keep its traceback.
local ok, err = xpcall(run, function(e)
  return type(e) == "table" and e.message or debug.traceback(e)
end)
if not ok then
  out.error = tostring(err)
end
vim.fn.writefile({ vim.json.encode(out) }, vim.env.KSTATE_NVIM_OUT)
vim.cmd(ok and "qall!" or "cquit!")
