"""Issue 13: a re-run answered entirely from the sentence cache imports no torch, transformers or ctranslate2."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

_RUN = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from idtrans.pipeline.translate import translate_path
    run = translate_path(sys.argv[1], Path(sys.argv[2]), model=sys.argv[3], backend=sys.argv[4], memory=False)
    heavy = sorted(m for m in ("torch", "transformers", "ctranslate2", "huggingface_hub.hf_api") if m in sys.modules)
    print(run.cache_summary)
    print("heavy:", ",".join(heavy))
    """
)


@pytest.mark.parametrize("backend", ["torch", "ct2"])
def test_a_fully_cached_rerun_imports_no_model_library(tiny_model_dir, tmp_path, backend):
    if backend == "ct2":
        pytest.importorskip("ctranslate2")
    article = tmp_path / "a.txt"
    article.write_text(
        "Presiden Rusia berkunjung ke Pyongyang.\n\nSekitar 11.000 tentara di Kursk.\n", encoding="utf-8"
    )
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "HF_HUB_OFFLINE": "1", "IDTRANS_AUTO_CONVERT": "1", "PATH": ""}
    if backend == "ct2":
        from idtrans.pipeline.models.convert import convert_model

        convert_model(tiny_model_dir, tmp_path / "int8", "int8")
        model = str(tmp_path / "int8")
    else:
        model = str(tiny_model_dir)

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", _RUN, str(article), str(tmp_path / "out.txt"), model, backend],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = run()
    assert "0 hit(s)" in first
    again = run()
    assert "0 miss(es)" in again and "heavy: \n" in again, again
