"""The instructor's board (`supatui room board`): seats × steps, failures by cause, raised hands."""
