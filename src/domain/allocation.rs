//! Choosing among interchangeable resources (a pool): spread use evenly.

/// A free member of a pool and how much it is already used around the
/// requested time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub resource_id: i64,
    /// Minutes already booked on it that local day.
    pub load_minutes: i64,
}

/// The least-used free candidate; ties go to the lowest id, so the choice
/// is deterministic.
pub fn pick_evenly(candidates: &[Candidate]) -> Option<i64> {
    candidates
        .iter()
        .min_by_key(|c| (c.load_minutes, c.resource_id))
        .map(|c| c.resource_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn picks_a_least_loaded_candidate(loads in proptest::collection::vec(0i64..500, 0..6)) {
            let candidates: Vec<Candidate> = loads.iter().enumerate()
                .map(|(i, l)| Candidate { resource_id: i as i64 + 1, load_minutes: *l }).collect();
            match pick_evenly(&candidates) {
                None => prop_assert!(candidates.is_empty()),
                Some(id) => {
                    let chosen = candidates.iter().find(|c| c.resource_id == id).unwrap();
                    prop_assert!(candidates.iter().all(|c| c.load_minutes >= chosen.load_minutes));
                }
            }
        }
    }
}
