"""``pol lsp``: a language server for ``.pol`` files, on the compiler's own checks.

``positions`` converts between the compiler's lines and columns (code points) and the
protocol's (UTF-16 code units unless the client agrees on another encoding);
``analysis`` answers hover, completion and definition from the syntax tree, with no
protocol in it; ``server`` is the pygls server that wires them to the editor.
"""
