import Foundation

// The optimizers' elementwise updates over one run of parameters (the formulas, and how the
// float32 scalars are derived from the float64 hyperparameters, are in each optimizer's class
// in Runtime/Optim). Each fast kernel is a `Lanes` body over the first count & ~15 elements
// and its scalar twin `…Reference` for the rest, so an element's arithmetic depends only on
// its position in the run: a run may be split between threads at multiples of 16 from its
// start (OptimizerShares). Scalars are splatted as they are (`a * b + c` is not fused;
// `addingProduct` is).

/// The gradient with L2 weight decay added: g + wd·p (fused), or g itself when wd is 0.
@inline(__always) private func decayed(_ g: Lanes, _ p: Lanes, _ wd: Float) -> Lanes {
    wd != 0 ? g.addingProduct(p, Lanes(repeating: wd)) : g
}

/// Scalar twin of `decayed`.
@inline(__always) private func decayed(_ g: Float, _ p: Float, _ wd: Float) -> Float {
    wd != 0 ? g.addingProduct(p, wd) : g
}

// MARK: - Adam / AdamW

/// One Adam or AdamW step:
///   p ← p·decay;  g ← g + l2·p (fused);  m ← m + w1·(g − m) (fused: torch.lerp);  v ← v·b2 + c2·g·g;
///   v ← max(vmax, v), stored to vmax (amsgrad);  p ← p + negStep·m / (√v·invBc2Sqrt + eps)
// p, g, m, v, vmax: (N)
public func adamStep(count n: Int, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                     expAvg m: UnsafeMutablePointer<Float>, expAvgSq v: UnsafeMutablePointer<Float>,
                     maxExpAvgSq vmax: UnsafeMutablePointer<Float>?,
                     decay: Float, l2: Float, w1: Float, b2: Float, c2: Float, negStep: Float, invBc2Sqrt: Float, eps: Float) {
    let simdEnd = n & ~15
    var i = 0
    while i < simdEnd {
        let pv = Lanes.load(p + i) * Lanes(repeating: decay)
        let gv = decayed(Lanes.load(g + i), pv, l2)
        var mv = Lanes.load(m + i)
        mv = mv.addingProduct(Lanes(repeating: w1), gv - mv)
        var vv = Lanes.load(v + i) * Lanes(repeating: b2)
        vv = vv + Lanes(repeating: c2) * gv * gv
        mv.store(to: m + i)
        vv.store(to: v + i)
        if let vmax {
            vv = pointwiseMax(Lanes.load(vmax + i), vv)
            vv.store(to: vmax + i)
        }
        let denom = Lanes.sqrt(vv) * Lanes(repeating: invBc2Sqrt) + Lanes(repeating: eps)
        (pv + Lanes(repeating: negStep) * mv / denom).store(to: p + i)
        i += 16
    }
    adamStepReference(count: n - i, parameters: p + i, gradients: g + i, expAvg: m + i, expAvgSq: v + i,
                      maxExpAvgSq: vmax.map { $0 + i }, decay: decay, l2: l2, w1: w1, b2: b2, c2: c2,
                      negStep: negStep, invBc2Sqrt: invBc2Sqrt, eps: eps)
}

/// Scalar twin of `adamStep`.
public func adamStepReference(count n: Int, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                              expAvg m: UnsafeMutablePointer<Float>, expAvgSq v: UnsafeMutablePointer<Float>,
                              maxExpAvgSq vmax: UnsafeMutablePointer<Float>?,
                              decay: Float, l2: Float, w1: Float, b2: Float, c2: Float, negStep: Float, invBc2Sqrt: Float,
                              eps: Float) {
    for i in 0..<n {
        var ps = p[i] * decay
        let gs = decayed(g[i], ps, l2)
        let ms = m[i].addingProduct(w1, gs - m[i])
        var vs = v[i] * b2
        vs = vs + c2 * gs * gs
        m[i] = ms
        v[i] = vs
        if let vmax {
            vs = max(vmax[i], vs)
            vmax[i] = vs
        }
        let denom = vs.squareRoot() * invBc2Sqrt + eps
        ps = ps + negStep * ms / denom
        p[i] = ps
    }
}

// MARK: - SGD

/// One plain SGD step: p ← p + negLR·(g + wd·p), both fused (`add(x, alpha:)` is an FMA in
/// PyTorch's vector kernels).
// p, g: (N)
public func sgdStep(count n: Int, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                    weightDecay wd: Float, negLR: Float) {
    let simdEnd = n & ~15
    var i = 0
    while i < simdEnd {
        let pv = Lanes.load(p + i)
        let gv = decayed(Lanes.load(g + i), pv, wd)
        pv.addingProduct(gv, Lanes(repeating: negLR)).store(to: p + i)
        i += 16
    }
    sgdStepReference(count: n - i, parameters: p + i, gradients: g + i, weightDecay: wd, negLR: negLR)
}

/// Scalar twin of `sgdStep`.
public func sgdStepReference(count n: Int, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                             weightDecay wd: Float, negLR: Float) {
    for i in 0..<n {
        let gs = decayed(g[i], p[i], wd)
        p[i] = p[i].addingProduct(gs, negLR)
    }
}

/// One SGD step with momentum (all fused): g ← g + wd·p;  b ← g at the first step, else
/// b·mu + keep·g;  d ← g + mu·b (nesterov) or b;  p ← p + negLR·d.
// p, g, b: (N)
public func sgdMomentumStep(count n: Int, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                            momentumBuffer b: UnsafeMutablePointer<Float>, weightDecay wd: Float, momentum mu: Float,
                            keep: Float, first: Bool, nesterov: Bool, negLR: Float) {
    let simdEnd = n & ~15
    var i = 0
    while i < simdEnd {
        let pv = Lanes.load(p + i)
        let gv = decayed(Lanes.load(g + i), pv, wd)
        let bv = first ? gv : (Lanes.load(b + i) * Lanes(repeating: mu)).addingProduct(gv, Lanes(repeating: keep))
        bv.store(to: b + i)
        let dv = nesterov ? gv.addingProduct(bv, Lanes(repeating: mu)) : bv
        pv.addingProduct(dv, Lanes(repeating: negLR)).store(to: p + i)
        i += 16
    }
    sgdMomentumStepReference(count: n - i, parameters: p + i, gradients: g + i, momentumBuffer: b + i, weightDecay: wd,
                             momentum: mu, keep: keep, first: first, nesterov: nesterov, negLR: negLR)
}

/// Scalar twin of `sgdMomentumStep`.
public func sgdMomentumStepReference(count n: Int, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                                     momentumBuffer b: UnsafeMutablePointer<Float>, weightDecay wd: Float, momentum mu: Float,
                                     keep: Float, first: Bool, nesterov: Bool, negLR: Float) {
    for i in 0..<n {
        let gs = decayed(g[i], p[i], wd)
        let bs = first ? gs : (b[i] * mu).addingProduct(gs, keep)
        b[i] = bs
        let ds = nesterov ? gs.addingProduct(bs, mu) : bs
        p[i] = p[i].addingProduct(ds, negLR)
    }
}

// MARK: - RMSprop

/// One RMSprop step: g ← g + wd·p (fused);  s ← s·a + oneMinusA·g·g;  centered: ga ← ga +
/// oneMinusA·(g − ga) (fused), avg = √(s + −1·ga·ga), else avg = √s;  avg ← avg + eps;
/// momentum: b ← b·mu + g/avg, p ← p + negLR·b (fused);  else p ← p + negLR·g/avg.
// p, g, squareAvg, momentumBuffer, gradAvg: (N)
public func rmspropStep(count n: Int, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                        squareAvg sq: UnsafeMutablePointer<Float>, momentumBuffer buf: UnsafeMutablePointer<Float>?,
                        gradAvg gavg: UnsafeMutablePointer<Float>?,
                        weightDecay wd: Float, alpha a: Float, oneMinusAlpha oneMinusA: Float, eps: Float, momentum mu: Float,
                        negLR: Float) {
    let simdEnd = n & ~15
    var i = 0
    while i < simdEnd {
        let pv = Lanes.load(p + i)
        let gv = decayed(Lanes.load(g + i), pv, wd)
        var sv = Lanes.load(sq + i) * Lanes(repeating: a)
        sv = sv + Lanes(repeating: oneMinusA) * gv * gv
        sv.store(to: sq + i)
        var avg: Lanes
        if let gavg {
            var ga = Lanes.load(gavg + i)
            ga = ga.addingProduct(Lanes(repeating: oneMinusA), gv - ga)
            ga.store(to: gavg + i)
            avg = Lanes.sqrt(sv + Lanes(repeating: -1) * ga * ga)
        } else {
            avg = Lanes.sqrt(sv)
        }
        avg = avg + Lanes(repeating: eps)
        if let buf {
            let bv = Lanes.load(buf + i) * Lanes(repeating: mu) + gv / avg
            bv.store(to: buf + i)
            pv.addingProduct(bv, Lanes(repeating: negLR)).store(to: p + i)
        } else {
            (pv + Lanes(repeating: negLR) * gv / avg).store(to: p + i)
        }
        i += 16
    }
    rmspropStepReference(count: n - i, parameters: p + i, gradients: g + i, squareAvg: sq + i,
                         momentumBuffer: buf.map { $0 + i }, gradAvg: gavg.map { $0 + i }, weightDecay: wd, alpha: a,
                         oneMinusAlpha: oneMinusA, eps: eps, momentum: mu, negLR: negLR)
}

/// Scalar twin of `rmspropStep`.
public func rmspropStepReference(count n: Int, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                                 squareAvg sq: UnsafeMutablePointer<Float>, momentumBuffer buf: UnsafeMutablePointer<Float>?,
                                 gradAvg gavg: UnsafeMutablePointer<Float>?,
                                 weightDecay wd: Float, alpha a: Float, oneMinusAlpha oneMinusA: Float, eps: Float,
                                 momentum mu: Float, negLR: Float) {
    for i in 0..<n {
        let ps = p[i]
        let gs = decayed(g[i], ps, wd)
        var ss = sq[i] * a
        ss = ss + oneMinusA * gs * gs
        sq[i] = ss
        var avg: Float
        if let gavg {
            let ga = gavg[i].addingProduct(oneMinusA, gs - gavg[i])
            gavg[i] = ga
            avg = (ss + -1 * ga * ga).squareRoot()
        } else {
            avg = ss.squareRoot()
        }
        avg = avg + eps
        if let buf {
            let bs = buf[i] * mu + gs / avg
            buf[i] = bs
            p[i] = ps.addingProduct(bs, negLR)
        } else {
            p[i] = ps + negLR * gs / avg
        }
    }
}

// MARK: - Adagrad

/// One Adagrad step: g ← g + wd·p (fused);  s ← s + g·g;  p ← p + negCLR·g / (√s + eps).
// p, g, sum: (N)
public func adagradStep(count n: Int, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                        sum s: UnsafeMutablePointer<Float>, weightDecay wd: Float, negCLR: Float, eps: Float) {
    let simdEnd = n & ~15
    var i = 0
    while i < simdEnd {
        let pv = Lanes.load(p + i)
        let gv = decayed(Lanes.load(g + i), pv, wd)
        let sv = Lanes.load(s + i) + gv * gv
        sv.store(to: s + i)
        (pv + Lanes(repeating: negCLR) * gv / (Lanes.sqrt(sv) + Lanes(repeating: eps))).store(to: p + i)
        i += 16
    }
    adagradStepReference(count: n - i, parameters: p + i, gradients: g + i, sum: s + i, weightDecay: wd, negCLR: negCLR, eps: eps)
}

/// Scalar twin of `adagradStep`.
public func adagradStepReference(count n: Int, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                                 sum s: UnsafeMutablePointer<Float>, weightDecay wd: Float, negCLR: Float, eps: Float) {
    for i in 0..<n {
        let gs = decayed(g[i], p[i], wd)
        let ss = s[i] + gs * gs
        s[i] = ss
        p[i] = p[i] + negCLR * gs / (ss.squareRoot() + eps)
    }
}
