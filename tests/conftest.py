"""Every test runs with its own user data folder, so workspaces a user saved with the Import
page on this machine never appear in a test, and a test never saves into the user's folder."""
import os
import tempfile

os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="fiscalmap-test-data-")
