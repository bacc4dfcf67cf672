//! The quarter summary: a site's measures, one per row, gathered from the
//! four reports.

/// A site's figures for the period, gathered from the reports.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SiteFigures {
    /// Hours of confirmed room bookings in the period.
    pub room_booked_hours: f64,
    /// Hours of confirmed computer bookings in the period.
    pub computer_booked_hours: f64,
    /// Hours sat at the front desk (published rota, after swaps).
    pub desk_hours: f64,
    /// Most desk hours minus fewest among the staff who could sit.
    pub desk_spread_hours: f64,
    /// Published shifts nobody sat.
    pub uncovered_posts: i64,
    /// Swaps taken.
    pub swaps_taken: i64,
    /// Hours volunteers came for.
    pub volunteer_hours: f64,
    /// Absences volunteers reported.
    pub volunteer_absences: i64,
    /// Visits by volunteers who came without signing up.
    pub volunteer_covers: i64,
    /// Hours the rooms were open (report 1): with `room_booked_hours`, the
    /// share of open time used.
    pub room_open_hours: f64,
    /// Hours the computers were used, checked in (report 2).
    pub computer_used_hours: f64,
    /// Computer bookings released unused (report 2).
    pub computer_no_shows: i64,
    /// Computer requests served from the waitlist (report 2).
    pub waitlist_served: i64,
    /// Bookings moved aside for an urgent or emergency request (report 2).
    pub urgent_displacements: i64,
}

/// The measures as (key, hours, count): one of the two figures is set.
pub fn measures(f: &SiteFigures) -> Vec<(&'static str, Option<f64>, Option<i64>)> {
    vec![
        ("room_booked_hours", Some(f.room_booked_hours), None),
        ("room_open_hours", Some(f.room_open_hours), None),
        ("computer_booked_hours", Some(f.computer_booked_hours), None),
        ("computer_used_hours", Some(f.computer_used_hours), None),
        ("computer_no_shows", None, Some(f.computer_no_shows)),
        ("waitlist_served", None, Some(f.waitlist_served)),
        ("urgent_displacements", None, Some(f.urgent_displacements)),
        ("desk_hours", Some(f.desk_hours), None),
        ("desk_spread_hours", Some(f.desk_spread_hours), None),
        ("uncovered_posts", None, Some(f.uncovered_posts)),
        ("swaps_taken", None, Some(f.swaps_taken)),
        ("volunteer_hours", Some(f.volunteer_hours), None),
        ("volunteer_absences", None, Some(f.volunteer_absences)),
        ("volunteer_covers", None, Some(f.volunteer_covers)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every figure is a row of the summary, once, with exactly one of its
    /// two numbers: the table, the CSV and the table across sites are all
    /// built from `measures`.
    #[test]
    fn every_figure_is_one_measure() {
        let f = SiteFigures {
            room_booked_hours: 1.0,
            computer_booked_hours: 2.0,
            desk_hours: 3.0,
            desk_spread_hours: 4.0,
            uncovered_posts: 5,
            swaps_taken: 6,
            volunteer_hours: 7.0,
            volunteer_absences: 8,
            volunteer_covers: 9,
            room_open_hours: 10.0,
            computer_used_hours: 11.0,
            computer_no_shows: 12,
            waitlist_served: 13,
            urgent_displacements: 14,
        };
        let m = measures(&f);
        let mut seen: Vec<f64> = m
            .iter()
            .map(|(_, h, c)| {
                assert!(h.is_some() != c.is_some());
                h.unwrap_or_else(|| c.unwrap() as f64)
            })
            .collect();
        seen.sort_by(f64::total_cmp);
        assert_eq!(seen, (1..=14).map(f64::from).collect::<Vec<_>>());
        let mut keys: Vec<_> = m.iter().map(|(k, _, _)| *k).collect();
        keys.dedup();
        assert_eq!(keys.len(), 14);
    }
}
