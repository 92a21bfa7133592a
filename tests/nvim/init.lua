-- Headless Neovim as a real client of `histmark lsp` (tests/nvim_lsp.sh).
-- Opens $ESSAY, starts the server with Neovim's own LSP client, waits for
-- diagnostics, asks for a hover and the quick fix on the misspelt name,
-- applies it, and writes what it saw to $OUT as JSON, one diagnostic a line.
-- Works with Neovim 0.7 (vim.lsp.start_client; vim.lsp.start came in 0.8).
local histmark, essay, out = os.getenv('HISTMARK'), os.getenv('ESSAY'), os.getenv('OUT')

local function json(v)
  return vim.fn.json_encode(v)
end

local function run()
  vim.cmd('edit ' .. vim.fn.fnameescape(essay))
  local buf = vim.api.nvim_get_current_buf()
  local client = vim.lsp.start_client({
    name = 'histmark',
    cmd = { histmark, 'lsp' },
    root_dir = vim.fn.fnamemodify(essay, ':p:h'),
  })
  assert(client, 'the client did not start')
  vim.lsp.buf_attach_client(buf, client)
  local ok = vim.wait(15000, function()
    return #vim.diagnostic.get(buf) > 0
  end, 50)
  assert(ok, 'no diagnostics within 15 s')

  local lines = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or ''
    -- Neovim turns the server's UTF-16 characters into byte columns.
    table.insert(lines, string.format('{"lnum":%d,"col":%d,"end_lnum":%d,"end_col":%d,"severity":%d,"code":%s,'
      .. '"source":%s,"message":%s}', d.lnum, d.col, d.end_lnum, d.end_col, d.severity, json(code),
      json(d.source or ''), json(d.message)))
  end
  table.sort(lines)

  -- Hover on the misspelt name (line 5, "Trosky").
  local pos = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 4, character = 2 } }
  local hover = ''
  local res = vim.lsp.buf_request_sync(buf, 'textDocument/hover', pos, 5000) or {}
  for _, r in pairs(res) do
    if r.result and r.result.contents then
      hover = r.result.contents.value or ''
    end
  end

  -- The quick fix, applied as the editor would.
  local range = { start = { line = 4, character = 2 }, ['end'] = { line = 4, character = 2 } }
  local params = { textDocument = pos.textDocument, range = range, context = { diagnostics = {} } }
  local fixed = ''
  res = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 5000) or {}
  for _, r in pairs(res) do
    for _, action in ipairs(r.result or {}) do
      if action.edit then
        vim.lsp.util.apply_workspace_edit(action.edit, 'utf-16')
        fixed = vim.api.nvim_buf_get_lines(buf, 4, 5, false)[1]
      end
    end
  end

  local f = assert(io.open(out, 'w'))
  f:write('{"diagnostics":[\n', table.concat(lines, ',\n'), '\n],\n')
  f:write('"hover":', json(hover), ',\n"fixed":', json(fixed), '}\n')
  f:close()
  vim.lsp.stop_client(client)
  vim.wait(2000, function()
    return vim.lsp.get_client_by_id(client) == nil
  end, 50)
end

local ok, err = pcall(run)
if not ok then
  local f = io.open(out .. '.err', 'w')
  if f then
    f:write(tostring(err), '\n')
    f:close()
  end
end
vim.cmd('qall!')
