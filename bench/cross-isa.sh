#!/usr/bin/env bash
# Same file + same seed → bit-identical checkpoints whatever the CPU ftx was built for.
# Builds ftx twice — for this machine (`native`: AVX-512 here) and for `haswell` (AVX2, via
# FTX_TARGET_CPU, read by Package.swift) — trains the same experiments with each into its
# own store, and compares the SHA-256 of every file the tasks stored (checkpoints, metrics,
# histories). Run it after every kernel change (issue 20): a kernel, blocking or thread
# split chosen per machine that changes any element's order of operations shows up here.
#   bench/cross-isa.sh            digits-transfer (13 trials) and a MiniLM fine-tune
# Exit 0 when every stored file is identical, 1 when one differs (each listed).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/ftx-cross-isa.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "cross-isa: building for native and for haswell" >&2
swift build -c release --product ftx >&2
native="$(swift build -c release --show-bin-path)/ftx"
FTX_TARGET_CPU=haswell swift build -c release --product ftx --scratch-path .build/cross-isa-haswell >&2
haswell="$(FTX_TARGET_CPU=haswell swift build -c release --scratch-path .build/cross-isa-haswell --show-bin-path)/ftx"
# Proof the two builds differ where it matters: only the native one uses 512-bit registers.
zmm() { objdump -d --no-show-raw-insn "$1" | grep -c '%zmm' || true; }
echo "cross-isa: instructions using %zmm: native $(zmm "$native"), haswell $(zmm "$haswell")" >&2
if [ "$(zmm "$haswell")" != 0 ]; then echo "cross-isa: the haswell build uses AVX-512" >&2; exit 1; fi

# The experiments: digits-transfer as shipped, and a fine-tune of MiniLM's top two layers
# on 240 glosses (max_length 32, 2 epochs).
mkdir -p "$work/exp"
cp experiments/digits-transfer.ftx "$work/exp/"
ln -s "$root/data" "$work/data"
ln -s "$root/models" "$work/models"
head -n 241 data/wordnet-glosses.csv > "$work/exp/glosses-240.csv"
cat > "$work/exp/minilm-tune.ftx" <<'FTX'
experiment minilm_tune {
  seed = 7
}

data glosses {
  source = csv("glosses-240.csv")
  text = "text"
  label = "label"
  split = random(train: 0.8, valid: 0.2, seed: 0)
}

model minilm {
  pretrained = bert("../models/all-MiniLM-L6-v2")
  tokenizer = wordpiece(max_length: 32)
  pooling = mean
  head = dense(6)
}

stage tune {
  model = minilm
  data = glosses
  freeze = ["embeddings", "encoder.layer.0", "encoder.layer.1", "encoder.layer.2", "encoder.layer.3"]
  optimizer = adamw(lr: 5e-5, weight_decay: 0.01, no_decay: bias_and_norm)
  schedule {
    epochs = 2
    batch_size = 16
    lr = linear(warmup: 0.1)
  }
  loss = cross_entropy()
}
FTX

status=0
for file in "$work/exp/digits-transfer.ftx" "$work/exp/minilm-tune.ftx"; do
  name=$(basename "$file" .ftx)
  for isa in native haswell; do
    binary=$native; [ "$isa" = haswell ] && binary=$haswell
    "$binary" run --store "$work/store-$name-$isa" "$file" > "$work/$name-$isa.log"
    # Every stored file but the run's own bookkeeping (times, leases, provenance).
    (cd "$work/store-$name-$isa/tasks" && find . -type f \( -name '*.safetensors' -o -name 'metrics.json' -o -name 'history.jsonl' \) \
       | sort | xargs sha256sum) > "$work/$name-$isa.sums"
  done
  files=$(wc -l < "$work/$name-native.sums")
  if diff -u "$work/$name-native.sums" "$work/$name-haswell.sums" > "$work/$name.diff"; then
    echo "cross-isa: $name: $files stored files, identical (native vs haswell)"
  else
    echo "cross-isa: $name: stored files DIFFER (native vs haswell):"; cat "$work/$name.diff"; status=1
  fi
done
exit $status
