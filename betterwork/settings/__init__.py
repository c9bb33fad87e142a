"""Settings split: base (everything shared), local (make run), test (pytest), production (docker compose).

Every value an operator may change comes from the environment; see the README's configuration table.
"""
