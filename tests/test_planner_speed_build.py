"""bench/planner_speed.py builds llama-cpp-python for the CPU it runs on: llama.cpp's native build on most CPUs,
and on one that reports AMX (which a VM may report without granting: SIGILL on the first prompt) a build with the
CPU's other x86 features and AMX off."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_planner_speed", ROOT / "bench" / "planner_speed.py")
    if spec is None or spec.loader is None:
        raise ImportError("bench/planner_speed.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_planner_speed"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_native_build_without_amx() -> None:
    assert _bench().llama_cmake_args({"avx", "avx2", "fma", "f16c", "avx512f"}) == ""


def test_amx_cpu_gets_its_other_features_and_no_amx() -> None:
    args = _bench().llama_cmake_args({"avx", "avx2", "fma", "f16c", "avx512f", "avx512_vnni", "amx_tile",
                                      "amx_int8"}).split()
    assert "-DGGML_NATIVE=OFF" in args
    assert {"-DGGML_AVX2=ON", "-DGGML_AVX512=ON", "-DGGML_AVX512_VNNI=ON", "-DGGML_AMX_TILE=OFF",
            "-DGGML_AMX_INT8=OFF"} <= set(args)
    assert "-DGGML_AVX512_BF16=OFF" in args  # not reported by this CPU, so not assumed
