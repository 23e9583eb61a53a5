"""Qt-free model core: numpy + torch only, usable from a notebook or a script.

Submodules are imported on demand (``from playground.core import toy``) so that
importing the package stays cheap: torch is only loaded by the modules that need it.
"""
