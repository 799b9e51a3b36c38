#!/usr/bin/env bash
# Draw the book's chapter 3 figures (docs/figures/*.png, compared with the book's in docs/figures/README.md)
# from runs in runs/reproduce: the run of each spec made with the spec's own seed. Specs without such a run
# are trained first (`specnet reproduce --resume` with one seed reuses the runs already there): 9 runs, two
# at a time, a few minutes on a 2-core machine. Usage, from the repository root (needs .[plot]):
#   bash docs/figures.sh                                   # or, after a full reproduction:
#   specnet reproduce --seeds 3 --jobs 2 && bash docs/figures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-runs/reproduce}
SPECS="ch3_overfitting ch3_l2_overfitting ch3_train_test_gap ch3_l2 ch3_init_large ch3_init_scaled ch3_eta_0025
  ch3_eta_025 ch3_eta_25"
rc=0  # exit code 1: a run missed its spec's expect band; the figure is still worth drawing
specnet reproduce $(for s in $SPECS; do echo "specs/$s.yaml"; done) --seeds 1 --jobs 2 --resume \
  --runs-dir "$RUNS" --out "$RUNS/figures-REPRODUCTION.md" >/dev/null || rc=$?
[ "$rc" -le 1 ]
# The run of a spec made with the spec's own seed: the smallest seed among its runs (reproduce runs seed, seed + 1, ...).
first() {
  for d in "$RUNS/$1"-*/; do echo "$(sed -n 's/^seed: //p' "$d/spec.yaml") ${d%/}"; done | sort -n | head -n 1 | cut -d' ' -f2
}

specnet plot "$(first ch3_overfitting)" --out docs/figures/overfitting.png \
  --title "Overfitting: [784, 30, 10] on 1,000 training images, 400 epochs" \
  --metric training_cost --metric evaluation_accuracy --metric evaluation_cost --metric training_accuracy
specnet plot "$(first ch3_overfitting)" --out docs/figures/overfitting_zoom.png --from-epoch 200 \
  --title "Epochs 200-399: the training cost falls, the test accuracy stalls" \
  --metric training_cost --metric evaluation_accuracy
specnet plot "$(first ch3_train_test_gap)" "$(first ch3_l2)" --out docs/figures/full_data.png \
  --title "All 50,000 training images: the gap between training and test accuracy" \
  --metric evaluation_accuracy+training_accuracy
specnet plot "$(first ch3_overfitting)" "$(first ch3_l2_overfitting)" --out docs/figures/regularization.png \
  --title "L2 regularization (λ = 0.1) on the 1,000-image run" \
  --metric training_cost --metric evaluation_accuracy+training_accuracy
specnet plot "$(first ch3_init_large)" "$(first ch3_init_scaled)" --out docs/figures/init.png \
  --title "Weight initialization: N(0, 1) against N(0, 1/n_in)" --metric evaluation_accuracy
specnet plot "$(first ch3_eta_0025)" "$(first ch3_eta_025)" "$(first ch3_eta_25)" --out docs/figures/learning_rate.png \
  --title "Three learning rates" --metric training_cost
