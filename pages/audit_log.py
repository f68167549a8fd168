"""Audit log: exports, saved-view changes, imports, sign-ins and sign-outs, for administrators;
and the access rules of the workspaces they administer."""
from ui import audit_log, controls

controls.page_setup()
audit_log.page()
