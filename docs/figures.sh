#!/usr/bin/env bash
# Draw the book's figures from the runs that `specnet reproduce` left in runs/reproduce (the first seed of
# each spec: the spec's own). Usage, from the repository root:
#   specnet reproduce --seeds 3 --jobs 2 && bash docs/figures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-runs/reproduce}
# The run of a spec made with the spec's own seed: the smallest seed among its runs (reproduce runs seed, seed + 1, ...).
first() {
  for d in "$RUNS/$1"-*/; do echo "$(sed -n 's/^seed: //p' "$d/spec.yaml") ${d%/}"; done | sort -n | head -n 1 | cut -d' ' -f2
}

specnet plot "$(first ch3_overfitting)" --out docs/figures/overfitting.png \
  --title "Overfitting: 1,000 training images (book, ch. 3)" \
  --metric training_cost --metric evaluation_accuracy --metric evaluation_cost --metric training_accuracy
specnet plot "$(first ch3_overfitting)" --out docs/figures/overfitting_zoom.png --from-epoch 200 \
  --title "Epochs 200-399: training cost falls, test accuracy stalls" --metric training_cost --metric evaluation_accuracy
specnet plot "$(first ch3_overfitting)" "$(first ch3_l2_overfitting)" --out docs/figures/regularization.png \
  --title "L2 regularization (lambda 0.1) on the 1,000-image run" \
  --metric evaluation_accuracy --metric evaluation_accuracy+training_accuracy
specnet plot "$(first ch3_init_large)" "$(first ch3_init_scaled)" --out docs/figures/init.png \
  --title "Weight initialization: N(0, 1) against N(0, 1/n_in)" --metric evaluation_accuracy
specnet plot "$(first ch3_eta_0025)" "$(first ch3_eta_025)" "$(first ch3_eta_25)" --out docs/figures/learning_rate.png \
  --title "Training cost with eta 0.025, 0.25 and 2.5" --metric training_cost
