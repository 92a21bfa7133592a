-- histmark in Neovim: the essay is marked as you type (diagnostics), K on a
-- highlighted word explains it, K on line 1 shows the mark, and the code
-- action on a misspelt name corrects it.
--
-- Install: copy this file to ~/.config/nvim/lua/histmark.lua and add
--   require('histmark').setup()
-- to init.lua. Options (all optional):
--   require('histmark').setup({
--     cmd = { 'histmark', 'lsp' },
--     filetypes = { 'text', 'markdown' },
--     settings = { topic = 'russia-1917-53', kinds = { 'gaps', 'warnings', 'findings' } },
--   })
-- Works with Neovim 0.7 (vim.lsp.start_client) and 0.8+ (vim.lsp.start).
local M = {}

local function root_of(buf)
  local name = vim.api.nvim_buf_get_name(buf)
  return name ~= '' and vim.fn.fnamemodify(name, ':p:h') or vim.fn.getcwd()
end

function M.setup(opts)
  opts = opts or {}
  local config = {
    name = 'histmark',
    cmd = opts.cmd or { 'histmark', 'lsp' },
    init_options = opts.settings or vim.empty_dict(),
    settings = { histmark = opts.settings or vim.empty_dict() },
  }
  -- Keys and the code lens (the mark, above line 1) for each essay buffer.
  config.on_attach = function(_, buf)
    local map = function(lhs, rhs, desc)
      vim.keymap.set('n', lhs, rhs, { buffer = buf, desc = desc })
    end
    map('K', vim.lsp.buf.hover, 'histmark: explain this (the mark on line 1)')
    map('<leader>ca', vim.lsp.buf.code_action, 'histmark: correct this name')
    vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
      group = vim.api.nvim_create_augroup('histmark_lens_' .. buf, { clear = true }),
      buffer = buf,
      callback = function()
        pcall(vim.lsp.codelens.refresh)
      end,
    })
    pcall(vim.lsp.codelens.refresh)
  end
  local client_id -- Neovim 0.7: one client, attached to every essay buffer

  local group = vim.api.nvim_create_augroup('histmark', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = opts.filetypes or { 'text', 'markdown' },
    callback = function(args)
      local buf = args.buf
      if vim.lsp.start then
        vim.lsp.start(vim.tbl_extend('force', config, { root_dir = root_of(buf) }), { bufnr = buf })
      else
        if not client_id or not vim.lsp.get_client_by_id(client_id) then
          client_id = vim.lsp.start_client(vim.tbl_extend('force', config, { root_dir = root_of(buf) }))
        end
        vim.lsp.buf_attach_client(buf, client_id)
      end
    end,
  })
end

return M
