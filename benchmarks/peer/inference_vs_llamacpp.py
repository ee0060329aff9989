#!/usr/bin/env python3
"""tune4j against llama.cpp on the same random checkpoints, interleaved in one run.

For each shape: writes a random Hugging Face checkpoint (benchmarks' RandomCheckpoint), converts it
to GGUF with llama.cpp's own converter (F32, F16, and Q4_0 by llama-quantize), then alternates
llama-bench and tune4j's RealShapeInference round by round and prints the medians and ratios.
llama.cpp is not part of tune4j: point LLAMA_CPP at a tree you built yourself (build/bin/llama-bench,
build/bin/llama-quantize, convert_hf_to_gguf.py), and PYTHON at an interpreter that can run that
converter (torch, numpy, sentencepiece, transformers; gguf-py of the same tree on PYTHONPATH).

  LLAMA_CPP=... PYTHON=... python3 benchmarks/peer/inference_vs_llamacpp.py \
      --shapes bench,qwen2_5_0_5b --precisions F32,BF16,NF4DQ,NF4DQ+head4 --prefill 512 --contexts 0,1024

Decode at a context C is measured by llama-bench as -pg C,N (prompt then N tokens); its decode rate is
recovered as N / (t(pp C + tg N) - t(pp C)). tune4j measures the N one-token steps directly after the
same prompt length. llama-bench runs with -mmp 0 (weights read into memory, so a page-out of the mapped
file cannot slow it down) and without OMP_WAIT_POLICY. Only the Python standard library is used here.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
JAR = os.path.join(ROOT, "benchmarks", "target", "benchmarks.jar")
# tune4j weights -> the GGUF type llama.cpp runs beside it
GGUF_TYPE = {"F32": "f32", "BF16": "f16", "NF4": "q4_0", "NF4DQ": "q4_0", "NF4DQ+head4": "q4_0", "NF4+head4": "q4_0"}


def run(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def java():
    home = os.environ.get("JAVA_HOME")
    return os.path.join(home, "bin", "java") if home else "java"


def checkpoint(shape, work, tokenizers):
    d = os.path.join(work, shape)
    if not os.path.exists(os.path.join(d, "model.safetensors.index.json")):
        print(run([java(), "-cp", JAR, "dev.tune4j.benchmarks.shapes.RandomCheckpoint", shape, d]).stdout.strip(),
              file=sys.stderr)
    # the converter needs a vocabulary; tune4j reads none
    family = {"bench": "mistral_v0_1", "qwen2_5_0_5b": "qwen2_5", "llama3_2_1b": "llama3_2", "llama2_7b": "mistral_v0_1",
              "llama3_1_8b": "llama3_2"}[shape]
    for f in ("tokenizer.json", "tokenizer_config.json"):
        src = os.path.join(tokenizers, family, f)
        if os.path.exists(src) and not os.path.exists(os.path.join(d, f)):
            with open(src, "rb") as a, open(os.path.join(d, f), "wb") as b:
                b.write(a.read())
    return d


def gguf(model_dir, kind, llama, python):
    out = model_dir + "-" + kind + ".gguf"
    if os.path.exists(out):
        return out
    if kind == "q4_0":
        f16 = gguf(model_dir, "f16", llama, python)
        run([os.path.join(llama, "build", "bin", "llama-quantize"), f16, out, "Q4_0"])
    else:
        run([python, os.path.join(llama, "convert_hf_to_gguf.py"), model_dir, "--outtype", kind, "--outfile", out])
    return out


def llama_bench(llama, model, threads, prefill, contexts, decode):
    prompts = sorted({prefill} | {c for c in contexts if c > 0})
    cmd = [os.path.join(llama, "build", "bin", "llama-bench"), "-m", model, "-t", str(threads), "-r", "3", "-o", "json",
           "-mmp", "0",
           "-p", ",".join(map(str, prompts)), "-n", str(decode)]
    for c in contexts:
        if c > 0:
            cmd += ["-pg", f"{c},{decode}"]
    # OMP_WAIT_POLICY=PASSIVE (right for PyTorch here) slows llama.cpp's decode 2-5x: run it with its default.
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    rows = json.loads(run(cmd, env=env).stdout)
    pp = {r["n_prompt"]: r["avg_ts"] for r in rows if r["n_gen"] == 0}
    out = {f"pp{prefill}": pp[prefill]}
    for r in rows:
        if r["n_prompt"] == 0 and r["n_gen"] == decode:
            out[f"tg{decode}"] = r["avg_ts"]
        elif r["n_prompt"] > 0 and r["n_gen"] == decode:
            c = r["n_prompt"]
            total = (c + decode) / r["avg_ts"]
            out[f"tg{decode}@{c}"] = decode / (total - c / pp[c])
    return out


def tune4j(model_dir, precision, threads, prefill, contexts, decode):
    weights, _, head = precision.partition("+")
    cmd = [java(), "--add-modules", "jdk.incubator.vector", f"-Dtune4j.threads={threads}", "-Xmx16g", "-cp", JAR,
           "dev.tune4j.benchmarks.shapes.RealShapeInference", "--model", model_dir, "--weights", weights,
           "--prefill", str(prefill), "--context", ",".join(map(str, contexts)), "--decode", str(decode), "--reps", "3"]
    if head == "head4":
        cmd.append("--quantized-head")
    res = run(cmd)
    return {j["test"]: j["tok_s"] for j in (json.loads(l) for l in res.stdout.splitlines() if l.startswith("{"))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", default="bench,qwen2_5_0_5b,llama3_2_1b")
    ap.add_argument("--precisions", default="F32,BF16,NF4DQ,NF4DQ+head4")
    ap.add_argument("--prefill", type=int, default=512)
    ap.add_argument("--contexts", default="0,1024")
    ap.add_argument("--decode", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--work", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "tune4j-vs-llamacpp"))
    ap.add_argument("--tokenizers", default=os.path.join(ROOT, "..", "shared", "tokenizers"))
    a = ap.parse_args()
    llama = os.environ.get("LLAMA_CPP") or sys.exit("set LLAMA_CPP to a built llama.cpp tree")
    python = os.environ.get("PYTHON", "python3")
    contexts = [int(c) for c in a.contexts.split(",")]
    os.makedirs(a.work, exist_ok=True)
    rows = []
    for shape in a.shapes.split(","):
        d = checkpoint(shape, a.work, a.tokenizers)
        for prec in a.precisions.split(","):
            model = gguf(d, GGUF_TYPE[prec], llama, python)
            peer, ours = [], []
            for _ in range(a.rounds):
                peer.append(llama_bench(llama, model, a.threads, a.prefill, contexts, a.decode))
                ours.append(tune4j(d, prec, a.threads, a.prefill, contexts, a.decode))
            load = os.getloadavg()[0]
            for test in ours[0]:
                p = statistics.median(r[test] for r in peer)
                o = statistics.median(r[test] for r in ours)
                rows.append((shape, prec, GGUF_TYPE[prec].upper(), test, p, o, o / p, load))
                print(f"{shape:14} {prec:12} {test:10} llama.cpp {p:8.1f}  tune4j {o:8.1f}  {o / p:5.2f}x  (load {load:.1f})",
                      flush=True)
    print()
    print("| shape | tune4j weights | llama.cpp | test | llama.cpp tok/s | tune4j tok/s | ratio | load |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.1f} | {r[5]:.1f} | **{r[6]:.2f}×** | {r[7]:.1f} |")


if __name__ == "__main__":
    main()
