"""Every test runs with its own user data folder, so workspaces a user saved with the Import
page on this machine never appear in a test, and a test never saves into the user's folder.
Likewise the site's access rules and secrets: a test sees none unless it sets its own, and the
audit log goes to the test's data folder."""
import os
import tempfile

os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="fiscalmap-test-data-")
_site = tempfile.mkdtemp(prefix="fiscalmap-test-site-")
open(os.path.join(_site, "access.toml"), "w").close()
os.environ["FISCALMAP_ACCESS"] = os.path.join(_site, "access.toml")
os.environ["FISCALMAP_SECRETS"] = os.path.join(_site, "no-secrets.toml")
os.environ.pop("FISCALMAP_AUDIT_LOG", None)
