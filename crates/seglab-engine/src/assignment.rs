//! The assignment problem (Hungarian method, O(n²·m) with row and column potentials): pair
//! rows with columns so that the total cost is least. Used to match the segments of one run to
//! those of another by centroid distance.

/// A least-cost matching of `rows` rows to `cols` columns of the row-major `cost` matrix: one
/// column per row when rows ≤ cols, else one row per column (the rest of the rows get `None`).
/// Costs must be finite.
pub fn least_cost_matching(cost: &[f64], rows: usize, cols: usize) -> Vec<Option<usize>> {
    assert_eq!(cost.len(), rows * cols, "cost is not rows × cols");
    if rows == 0 || cols == 0 {
        return vec![None; rows];
    }
    if rows > cols {
        // Solve the transpose, where rows ≤ cols, and read it back.
        let t: Vec<f64> = (0..cols * rows)
            .map(|i| cost[(i % rows) * cols + i / rows])
            .collect();
        let by_col = least_cost_matching(&t, cols, rows);
        let mut out = vec![None; rows];
        for (c, r) in by_col.iter().enumerate() {
            if let Some(r) = r {
                out[*r] = Some(c);
            }
        }
        return out;
    }
    // Potentials u (rows) and v (columns); `owner[j]` is the row matched to column j, 1-based
    // with 0 for "none", so column 0 can be the virtual start of each augmenting path.
    let (n, m) = (rows, cols);
    let mut u = vec![0.0; n + 1];
    let mut v = vec![0.0; m + 1];
    let mut owner = vec![0usize; m + 1];
    let mut way = vec![0usize; m + 1];
    for i in 1..=n {
        owner[0] = i;
        let mut j0 = 0;
        let mut min_to = vec![f64::INFINITY; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = owner[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0;
            for j in 1..=m {
                if used[j] {
                    continue;
                }
                let reduced = cost[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
                if reduced < min_to[j] {
                    min_to[j] = reduced;
                    way[j] = j0;
                }
                if min_to[j] < delta {
                    delta = min_to[j];
                    j1 = j;
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[owner[j]] += delta;
                    v[j] -= delta;
                } else {
                    min_to[j] -= delta;
                }
            }
            j0 = j1;
            if owner[j0] == 0 {
                break;
            }
        }
        // Flip the augmenting path back to the start.
        loop {
            let j1 = way[j0];
            owner[j0] = owner[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut out = vec![None; n];
    for j in 1..=m {
        if owner[j] > 0 {
            out[owner[j] - 1] = Some(j - 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(cost: &[f64], cols: usize, m: &[Option<usize>]) -> f64 {
        m.iter()
            .enumerate()
            .filter_map(|(r, c)| c.map(|c| cost[r * cols + c]))
            .sum()
    }

    /// Every permutation of a small square matrix, checked by brute force: the matching's
    /// total equals the least total over all permutations.
    #[test]
    fn matches_brute_force_on_square_matrices() {
        let mut seed = 17u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            (seed >> 40) as f64 / 1000.0
        };
        for n in 1..=6 {
            for _ in 0..20 {
                let cost: Vec<f64> = (0..n * n).map(|_| next()).collect();
                let m = least_cost_matching(&cost, n, n);
                let mut cols: Vec<usize> = m.iter().map(|c| c.unwrap()).collect();
                cols.sort_unstable();
                assert_eq!(cols, (0..n).collect::<Vec<_>>(), "not a permutation");
                let mut perm: Vec<usize> = (0..n).collect();
                let mut best = f64::INFINITY;
                permutations(&mut perm, 0, &mut |p| {
                    best = best.min(p.iter().enumerate().map(|(r, &c)| cost[r * n + c]).sum());
                });
                assert!((total(&cost, n, &m) - best).abs() < 1e-9);
            }
        }
    }

    fn permutations(p: &mut Vec<usize>, at: usize, f: &mut impl FnMut(&[usize])) {
        if at == p.len() {
            f(p);
            return;
        }
        for i in at..p.len() {
            p.swap(at, i);
            permutations(p, at + 1, f);
            p.swap(at, i);
        }
    }

    /// By hand: the greedy first choice (row 0 → column 0, cost 1) forces row 1 onto cost 10;
    /// the best is 2 + 2. With more rows than columns the costliest row is left out.
    #[test]
    fn beats_greedy_and_handles_rectangles() {
        let cost = [1.0, 2.0, 2.0, 10.0];
        assert_eq!(least_cost_matching(&cost, 2, 2), vec![Some(1), Some(0)]);
        let tall = [1.0, 5.0, 9.0, 9.0, 4.0, 1.0];
        assert_eq!(
            least_cost_matching(&tall, 3, 2),
            vec![Some(0), None, Some(1)]
        );
        let wide = [3.0, 1.0, 7.0];
        assert_eq!(least_cost_matching(&wide, 1, 3), vec![Some(1)]);
    }
}
