"""Deploy the built app: smoke-test the zipapp, then copy it to $DEPLOY_DIR."""

import os
import shutil
import subprocess
import sys

pyz = sys.argv[1]
out = subprocess.run([sys.executable, pyz, "--version"], capture_output=True, text=True,
                     check=False)
if out.returncode != 0 or not out.stdout.startswith("shop "):
    sys.exit(f"smoke test failed: {out.stdout}{out.stderr}")
shutil.copy(pyz, os.path.join(os.environ["DEPLOY_DIR"], "app.pyz"))
print(f"deployed {out.stdout.strip()}")
