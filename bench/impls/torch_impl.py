"""PyTorch eager, written the way its tutorials do: nn.Linear layers, autograd and torch.optim.SGD.

The loss is the mean over the mini-batch of C_x, so SGD with lr = η takes the book's step −(η/m) Σ ∇C_x.
"""
import numpy as np

requires = ("torch",)


class Trainer:
    def __init__(self, p):
        import torch
        self.torch, self.p = torch, p
        self.dtype = {"float32": torch.float32, "float64": torch.float64}[p.dtype.name]
        self.x, self.y = torch.from_numpy(p.x), torch.from_numpy(p.y)
        self.test_x = torch.from_numpy(p.test_x)
        self.order = torch.from_numpy(p.order)
        self.reset()

    def reset(self):
        torch, p = self.torch, self.p
        sizes = p.config.sizes
        self.net = torch.nn.Sequential(torch.nn.Linear(sizes[0], sizes[1]), torch.nn.Sigmoid(),
                                       torch.nn.Linear(sizes[1], sizes[2])).to(self.dtype)
        with torch.no_grad():
            for layer, w, b in zip((self.net[0], self.net[2]), p.weights, p.biases):
                layer.weight.copy_(torch.from_numpy(w))
                layer.bias.copy_(torch.from_numpy(b.ravel()))
        self.opt = torch.optim.SGD(self.net.parameters(), lr=p.eta)

    def epoch(self):
        torch, m, quadratic = self.torch, self.p.m, self.p.cost == "quadratic"
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        for k in range(0, len(self.order), m):
            idx = self.order[k:k + m]
            x, y = self.x[idx], self.y[idx]
            z = self.net(x)
            if quadratic:  # C_x = ½‖y − σ(z)‖²
                loss = 0.5 * ((torch.sigmoid(z) - y) ** 2).sum() / len(idx)
            else:          # cross-entropy on the logits: the stable form of −Σ [y ln a + (1 − y) ln(1 − a)]
                loss = bce(z, y, reduction="sum") / len(idx)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()

    def accuracy(self) -> float:
        with self.torch.no_grad():
            predicted = self.net(self.test_x).argmax(dim=1).numpy()
        return float(np.mean(predicted == self.p.test_labels))
