//! The fairness step: chains of hand-overs found by a breadth-first search
//! over "could take this shift instead", as the module documentation
//! describes in step 3.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::seating::{Seating, Step};

impl Seating<'_> {
    /// Applies one chain of hand-overs from a person with total `L` to one
    /// with at most `L - 2`: first chains that put nobody twice on a date,
    /// then any, because fairness outranks the same-date preference.
    pub(super) fn balance_one(&mut self) -> bool {
        let (Some(&min), Some(&max)) = (self.total.iter().min(), self.total.iter().max()) else {
            return false;
        };
        if max < min + 2 {
            return false;
        }
        let mut sources: Vec<usize> = (0..self.n)
            .filter(|&p| self.total[p] >= min + 2 && !self.held[p].is_empty())
            .collect();
        sources.sort_by_key(|&p| (Reverse(self.total[p]), p));
        for strict in [true, false] {
            for &source in &sources {
                if let Some(path) = self.find_path(source, strict) {
                    self.apply(&path);
                    return true;
                }
            }
        }
        false
    }

    /// Breadth-first search from `source` over "could take this shift
    /// instead" edges; the reachable person with the lowest total (then the
    /// shortest chain, then the lowest id) at least 2 below `source` ends it.
    ///
    /// Someone at their weekly limit, or kept from a shift by exactly one
    /// of their draft shifts, may still pass along the chain if the shift
    /// they hand on is one from that week or that very clash: a path in the
    /// residual graph, as in a flow with per-week capacities.
    fn find_path(&self, source: usize, strict: bool) -> Option<Vec<Step>> {
        let goal = self.total[source].checked_sub(2)?;
        let mut nodes = vec![Node {
            person: source,
            parent: None,
            shift: usize::MAX,
            must: Must::Free,
            depth: 0,
        }];
        let mut free_seen = vec![false; self.n];
        free_seen[source] = true;
        let mut week_seen = vec![false; self.n * self.weeks];
        let mut clash_seen = vec![false; self.n * self.ns];
        let mut best: Option<(u64, usize, usize, usize)> = None;
        let mut next = 0;
        while next < nodes.len() {
            let at = next;
            next += 1;
            let node = nodes[at];
            // Targets end a chain; only the others are expanded further.
            if at != 0 && node.must == Must::Free && self.total[node.person] <= goal {
                continue;
            }
            for &s in &self.held[node.person] {
                let allowed = match node.must {
                    Must::Free => true,
                    Must::Week(w) => self.week[s] == w,
                    Must::Clash(c) => s == c,
                };
                // A shift changes hands at most once along a chain; then
                // each step's check (the senior and new-person rules above
                // all) stays valid.
                if !allowed || on_chain(&nodes, at, |n| n.shift == s) {
                    continue;
                }
                for q in 0..self.n {
                    if free_seen[q] || (strict && self.dates_of(q, s) > 0) {
                        continue;
                    }
                    let must = if self.can_replace(node.person, q, s) {
                        Must::Free
                    } else {
                        match self.passing(node.person, q, s) {
                            Some(Must::Week(w)) if !week_seen[q * self.weeks + w] => Must::Week(w),
                            Some(Must::Clash(c)) if !clash_seen[q * self.ns + c] => Must::Clash(c),
                            _ => continue,
                        }
                    };
                    // Someone met again on the chain (a person in two
                    // different weeks, in flow terms) must fit all of it.
                    if on_chain(&nodes, at, |n| n.person == q) && !self.fits_chain(&nodes, at, q, s, must) {
                        continue;
                    }
                    match must {
                        Must::Free => free_seen[q] = true,
                        Must::Week(w) => week_seen[q * self.weeks + w] = true,
                        Must::Clash(c) => clash_seen[q * self.ns + c] = true,
                    }
                    let depth = node.depth + 1;
                    nodes.push(Node {
                        person: q,
                        parent: Some(at),
                        shift: s,
                        must,
                        depth,
                    });
                    if must == Must::Free && self.total[q] <= goal {
                        let key = (self.total[q], depth, q, nodes.len() - 1);
                        if best.is_none_or(|b| key < b) {
                            best = Some(key);
                        }
                    }
                }
            }
        }
        let (_, _, _, mut at) = best?;
        let mut steps = Vec::new();
        while let Some(parent) = nodes[at].parent {
            steps.push(Step {
                from: nodes[parent].person,
                to: nodes[at].person,
                shift: nodes[at].shift,
            });
            at = parent;
        }
        Some(steps)
    }

    /// Whether `q`, already on the chain to `at`, may also take `s` (and
    /// hand on what `must` says): the shifts they gain do not overlap, and
    /// no week goes over their limit once their gains and hand-overs are
    /// all counted. Each step alone was judged on the state before the
    /// chain; this covers what the steps of one person do together.
    fn fits_chain(&self, nodes: &[Node], at: usize, q: usize, s: usize, must: Must) -> bool {
        let mut gains = vec![s];
        let mut week_delta: BTreeMap<usize, i64> = BTreeMap::new();
        *week_delta.entry(self.week[s]).or_default() += 1;
        match must {
            Must::Free => {}
            Must::Week(w) => *week_delta.entry(w).or_default() -= 1,
            Must::Clash(c) => *week_delta.entry(self.week[c]).or_default() -= 1,
        }
        let (mut i, mut below) = (at, None::<usize>);
        loop {
            let node = nodes[i];
            if node.person == q {
                // The source only gives; meeting it again would undo that.
                let (Some(_), Some(child)) = (node.parent, below) else {
                    return false;
                };
                gains.push(node.shift);
                *week_delta.entry(self.week[node.shift]).or_default() += 1;
                *week_delta.entry(self.week[nodes[child].shift]).or_default() -= 1;
            }
            match node.parent {
                Some(parent) => (below, i) = (Some(i), parent),
                None => break,
            }
        }
        let apart = gains.iter().enumerate().all(|(k, &a)| {
            gains[k + 1..]
                .iter()
                .all(|&b| a != b && !self.overlaps[a].contains(&b))
        });
        let limit = self.prep.staff[q].max_shifts_per_week;
        apart
            && week_delta.iter().all(|(&w, &delta)| {
                let count = i64::from(self.week_count[q * self.weeks + w]);
                limit.is_none_or(|l| count + delta <= i64::from(l))
            })
    }

    /// Whether `q` could take `from`'s place on `s` if `q` handed on one
    /// draft shift: the week or the clash that shift must free.
    fn passing(&self, from: usize, q: usize, s: usize) -> Option<Must> {
        if self.unavailable[q * self.ns + s]
            || !self.keeps_pairs(from, q, s)
            || self.draft[s].contains(&q)
            || self.fixed_known[s].contains(&q)
        {
            return None;
        }
        let at_limit =
            self.prep.staff[q].max_shifts_per_week == Some(self.week_count[q * self.weeks + self.week[s]]);
        let week_full = !self.week_ok(q, s);
        if week_full && !at_limit {
            return None;
        }
        match self.busy[q * self.ns + s] {
            0 if week_full => Some(Must::Week(self.week[s])),
            1 => {
                let clash = self.held[q]
                    .iter()
                    .copied()
                    .find(|t| self.overlaps[s].contains(t))?;
                (!week_full || self.week[clash] == self.week[s]).then_some(Must::Clash(clash))
            }
            _ => None,
        }
    }
}

/// One state of the chain search: a person reached by taking `shift` from
/// the parent node's person, and what they must hand on.
#[derive(Clone, Copy)]
struct Node {
    person: usize,
    parent: Option<usize>,
    shift: usize,
    must: Must,
    depth: usize,
}

/// What a person reached in the chain search may hand on next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Must {
    /// Any of their draft shifts: they had room for the one they took.
    Free,
    /// One in this week: they took a shift at their weekly limit.
    Week(usize),
    /// This one: it overlaps the shift they took.
    Clash(usize),
}

/// Whether a node on the chain that reached `at` (inclusive) matches.
fn on_chain(nodes: &[Node], mut at: usize, hit: impl Fn(&Node) -> bool) -> bool {
    loop {
        if hit(&nodes[at]) {
            return true;
        }
        match nodes[at].parent {
            Some(parent) => at = parent,
            None => return false,
        }
    }
}
