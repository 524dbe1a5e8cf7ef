# Shortcuts for ./course (which is what the README and CI use).
.PHONY: setup demo test
setup: ; ./course setup
demo: ; ./course demo
test: ; ./course test
