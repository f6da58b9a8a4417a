"""Bug: deletes the <<<, === and >>> lines but keeps diff3's ||||||| base section."""

from git_collaboration import BAD_COMMIT


def git_script(repo):
    repo.git("fetch", "origin")
    repo.git("rebase", "origin/main", check=False)  # stops at the conflict in config.yaml
    text = repo.read("config.yaml").splitlines(keepends=True)
    keep = [ln for ln in text if not ln.startswith(("<<<<<<<", "=======", ">>>>>>>"))]
    repo.write("config.yaml", "".join(keep))
    repo.git("add", "config.yaml")
    repo.git("rebase", "--continue")
    repo.git("push", "--force-with-lease", "origin", "feature/batch")
    repo.git("switch", "main")
    repo.git("merge", "--ff-only", "origin/main")
    bad = repo.git("log", "--format=%H", "--fixed-strings", "--grep", BAD_COMMIT, "main")
    repo.git("revert", "--no-edit", bad)
    repo.git("push", "origin", "main")
