-- A Neovim session against `dockerfix server` (Neovim 0.7+, headless): open the Dockerfile
-- given as DOCKERFIX_DOCKERFILE, wait for diagnostics, apply the fix-all code action, write
-- what happened to DOCKERFIX_RESULT. The server command is DOCKERFIX_SERVER (words split by
-- spaces). Used by tests/test_editors.py.
local server = vim.split(os.getenv("DOCKERFIX_SERVER"), " ", { trimempty = true })
local dockerfile = os.getenv("DOCKERFIX_DOCKERFILE")
local client_id = vim.lsp.start_client({
  name = "dockerfix",
  cmd = server,
  root_dir = vim.fn.fnamemodify(dockerfile, ":h"),
})
vim.cmd("edit " .. vim.fn.fnameescape(dockerfile))
vim.lsp.buf_attach_client(0, client_id)
vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out, string.format("diagnostic %d:%d %s", d.lnum + 1, d.col + 1, d.code or "?"))
end
local client = vim.lsp.get_client_by_id(client_id)
local here = { line = 0, character = 0 }
local response = client.request_sync("textDocument/codeAction", {
  textDocument = { uri = vim.uri_from_bufnr(0) },
  range = { start = here, ["end"] = here },
  context = { diagnostics = {}, only = { "source.fixAll.dockerfix" } },
}, 20000, 0)
for _, action in ipairs((response and response.result) or {}) do
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
    table.insert(out, "applied " .. action.title)
  end
end
for _, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
  table.insert(out, "line " .. line)
end
vim.fn.writefile(out, os.getenv("DOCKERFIX_RESULT"))
vim.cmd("qa!")
