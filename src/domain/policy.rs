//! Who may do what on a site: every role rule in one place.
//!
//! A caller's [`Standing`] at a site is their roles there plus whether they
//! operate the deployment. Workflows (and the read paths with a rule in
//! them) ask it before acting; the authorisation matrix test
//! (`tests/api/authz.rs`) checks the answers route by route.
//!
//! The roles, from DOMAIN.md: the secretary or director is the site's
//! *admin*; social workers are *staff*; interest-group leaders book rooms
//! for their groups; *volunteers* sign up for duties. Operators run the
//! deployment and may act as admin of any site. A *district observer*
//! (the sub-district office) sees every site like a member with no role,
//! may read its reports, and changes nothing: every change asks for a role
//! (or for being the owner of what it changes), and an observer has none.

use super::person::{Role, Roles};
use super::resource::ResourceKind;

/// A refusal: the caller is known but may not do this. The words say who may.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forbidden(pub &'static str);

/// Who is asking: the signed-in person, before any site is looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    pub user_id: i64,
    /// Operators run the deployment.
    pub operator: bool,
    /// District observers read every site's reports and boards.
    pub observer: bool,
}

impl Caller {
    /// The reports across every site: operators and district observers.
    pub fn may_read_every_site(&self) -> Result<(), Forbidden> {
        allow(
            self.operator || self.observer,
            "Only a deployment operator or a district observer may read every site's reports.",
        )
    }
}

/// A caller's standing on one site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The caller.
    pub user_id: i64,
    /// Their roles there (none for an operator who is not a member).
    pub roles: Roles,
    /// Operators may act as admin of any site.
    pub operator: bool,
    /// A district observer: reads the site's reports, has no role there
    /// unless also a member.
    pub observer: bool,
}

/// Whether `caller` may see a site at all: members, operators and district
/// observers (the last two with no roles when not members). Everyone else
/// gets the same answer as for a site that does not exist.
pub fn enter(caller: Caller, membership: Option<Roles>) -> Option<Standing> {
    if membership.is_none() && !caller.operator && !caller.observer {
        return None;
    }
    Some(Standing {
        user_id: caller.user_id,
        roles: membership.unwrap_or_default(),
        operator: caller.operator,
        observer: caller.observer,
    })
}

/// Who appears on the public schedule of a site: the people who sit at its
/// desks and computers, never volunteers or group leaders.
pub fn on_public_schedule(roles: Roles) -> bool {
    roles.staff || roles.admin
}

/// A site must keep an admin: whether a change would leave it without one
/// (`was_admin` losing the role while `admins` says how many there are
/// today). The admins are counted only when someone loses the role.
pub fn leaves_no_admin<E>(
    was_admin: bool,
    stays_admin: bool,
    admins: impl FnOnce() -> Result<i64, E>,
) -> Result<bool, E> {
    Ok(was_admin && !stays_admin && admins()? <= 1)
}

fn allow(ok: bool, why: &'static str) -> Result<(), Forbidden> {
    if ok { Ok(()) } else { Err(Forbidden(why)) }
}

impl Standing {
    pub fn is_admin(&self) -> bool {
        self.roles.admin || self.operator
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.has(role)
    }

    pub fn require_admin(&self) -> Result<(), Forbidden> {
        allow(
            self.is_admin(),
            "Only the site's admin (secretary or director) may do this.",
        )
    }

    /// The reports of the quarterly check (utilisation, fairness, hours):
    /// the site's admin, operators and district observers.
    pub fn may_read_reports(&self) -> Result<(), Forbidden> {
        allow(
            self.is_admin() || self.observer,
            "Only the site's admin or the district may read its reports.",
        )
    }

    /// A district observer with no role here reads and changes nothing;
    /// asked first by the changes any member may attempt (an absence, a
    /// swap offer, one's own unavailability), which the others' roles or
    /// ownership already guard.
    pub fn may_act_here(&self) -> Result<(), Forbidden> {
        allow(
            !self.observer || self.operator || self.roles != Roles::default(),
            "A district observer reads the site; only its members change things.",
        )
    }

    /// Admins and staff (social workers) see the people of the site.
    pub fn require_staff_or_admin(&self) -> Result<(), Forbidden> {
        allow(
            self.is_admin() || self.roles.staff,
            "Only staff and admins of this site may do this.",
        )
    }

    /// Computers and desks are staff tools; rooms are also booked by group
    /// leaders for their groups. Volunteers book nothing here (their
    /// duties reserve rooms for them).
    pub fn may_book(&self, kind: ResourceKind) -> Result<(), Forbidden> {
        let ok =
            self.is_admin() || self.roles.staff || (kind == ResourceKind::Room && self.roles.group_leader);
        allow(
            ok,
            match kind {
                ResourceKind::Room => "Only staff, admins and group leaders book rooms.",
                _ => "Only staff and admins book computers and desks.",
            },
        )
    }

    /// Only a group's leader (or an admin) books in its name.
    pub fn may_book_for_group(&self, leader_id: i64) -> Result<(), Forbidden> {
        allow(
            leader_id == self.user_id || self.is_admin(),
            "Only the group's leader or an admin books for a group.",
        )
    }

    /// Admins' own bookings need no approval.
    pub fn approval_waived(&self) -> bool {
        self.is_admin()
    }

    /// Who booked and why: the owner, staff and admins. Group leaders and
    /// volunteers see only that the time is taken.
    pub fn sees_booking_details(&self, owner_id: i64) -> bool {
        self.is_admin() || self.roles.staff || owner_id == self.user_id
    }

    /// The people of a site: staff and admins see everyone, anyone else
    /// only themselves.
    pub fn may_see_member(&self, user_id: i64) -> Result<(), Forbidden> {
        if user_id == self.user_id {
            Ok(())
        } else {
            self.require_staff_or_admin()
        }
    }

    /// Whose bookings are in the way, in a refusal: staff and admins.
    pub fn sees_who_holds(&self) -> bool {
        self.is_admin() || self.roles.staff
    }

    pub fn may_cancel_booking(&self, owner_id: i64) -> Result<(), Forbidden> {
        allow(
            owner_id == self.user_id || self.is_admin(),
            "Only the booking's owner or an admin may cancel it.",
        )
    }

    pub fn may_change_series(&self, owner_id: i64) -> Result<(), Forbidden> {
        allow(
            owner_id == self.user_id || self.is_admin(),
            "Only the series' owner or an admin may change it.",
        )
    }

    /// Checking in says "I am here": only the owner can.
    pub fn may_check_in(&self, owner_id: i64) -> Result<(), Forbidden> {
        allow(owner_id == self.user_id, "Only the booking's owner checks in.")
    }

    /// Admins see everyone's waiting requests; others their own.
    pub fn sees_every_waiting_request(&self) -> bool {
        self.is_admin()
    }

    /// A waiting request is its owner's and the admin's; to anyone else
    /// it does not exist.
    pub fn sees_waiting_request(&self, owner_id: i64) -> bool {
        owner_id == self.user_id || self.is_admin()
    }

    /// Someone's unavailability (leave, training) is theirs and the admin's.
    pub fn sees_unavailability_of(&self, user_id: i64) -> bool {
        user_id == self.user_id || self.is_admin()
    }

    /// A rota's draft (who the next publication would put where) is the
    /// admin's working copy; staff see the published rota.
    pub fn sees_rota_drafts(&self) -> bool {
        self.is_admin()
    }

    /// Desk shifts are taken by staff, who sit at the desk.
    pub fn may_take_shift(&self) -> Result<(), Forbidden> {
        allow(self.roles.staff, "Only staff take desk shifts.")
    }

    /// Duties are for volunteers.
    pub fn may_sign_up_for_duty(&self) -> Result<(), Forbidden> {
        allow(
            self.has(Role::Volunteer),
            "Only volunteers of this site sign up for duties.",
        )
    }

    /// A volunteer who covered a duty without signing up is recorded by the
    /// admin, who knows who came.
    pub fn may_record_walk_in(&self) -> bool {
        self.is_admin()
    }

    /// A sign-up is the volunteer's and the admin's; to anyone else it
    /// does not exist.
    pub fn sees_signup(&self, volunteer_id: i64) -> bool {
        volunteer_id == self.user_id || self.is_admin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn roles() -> impl Strategy<Value = Roles> {
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(admin, staff, volunteer, group_leader)| Roles {
                admin,
                staff,
                volunteer,
                group_leader,
            },
        )
    }

    fn kind() -> impl Strategy<Value = ResourceKind> {
        prop_oneof![
            Just(ResourceKind::Computer),
            Just(ResourceKind::Desk),
            Just(ResourceKind::Room)
        ]
    }

    #[test]
    fn the_last_admin_stays_and_admins_are_counted_only_when_one_leaves() {
        let never = || -> Result<i64, ()> { panic!("counted for nothing") };
        assert_eq!(leaves_no_admin(false, false, never), Ok(false));
        assert_eq!(leaves_no_admin(true, true, never), Ok(false));
        assert_eq!(leaves_no_admin(true, false, || Ok::<_, ()>(1)), Ok(true));
        assert_eq!(leaves_no_admin(true, false, || Ok::<_, ()>(2)), Ok(false));
    }

    proptest! {
        /// Nobody outside a site gets in, except an operator; a member gets
        /// exactly their roles.
        #[test]
        fn entering_a_site(member in proptest::option::of(roles()), operator in any::<bool>(), observer in any::<bool>()) {
            let caller = Caller { user_id: 7, operator, observer };
            match enter(caller, member) {
                None => prop_assert!(member.is_none() && !operator && !observer),
                Some(s) => {
                    prop_assert_eq!(s.roles, member.unwrap_or_default());
                    prop_assert_eq!(s.operator, operator);
                    prop_assert_eq!(s.observer, observer);
                }
            }
        }

        /// A district observer who is not a member reads the reports and
        /// may change nothing a role or ownership guards.
        #[test]
        fn an_observer_reads_reports_and_changes_nothing(owner in 2i64..5, kind in kind()) {
            let s = enter(Caller { user_id: 1, operator: false, observer: true }, None).expect("enters");
            prop_assert!(s.may_read_reports().is_ok());
            prop_assert!(!s.is_admin());
            prop_assert!(s.require_admin().is_err());
            prop_assert!(s.require_staff_or_admin().is_err());
            prop_assert!(s.may_book(kind).is_err());
            prop_assert!(s.may_book_for_group(owner).is_err());
            prop_assert!(s.may_cancel_booking(owner).is_err());
            prop_assert!(s.may_change_series(owner).is_err());
            prop_assert!(s.may_check_in(owner).is_err());
            prop_assert!(s.may_take_shift().is_err());
            prop_assert!(s.may_sign_up_for_duty().is_err());
            prop_assert!(!s.may_record_walk_in());
            prop_assert!(!s.sees_booking_details(owner));
            prop_assert!(!s.sees_signup(owner));
            prop_assert!(!s.sees_unavailability_of(owner));
            prop_assert!(s.may_see_member(owner).is_err());
            prop_assert!(s.may_act_here().is_err());
        }

        /// An admin (or operator) may everything an owner may, on anyone's
        /// booking; a volunteer alone books nothing.
        #[test]
        fn admins_may_what_owners_may(roles in roles(), operator in any::<bool>(), owner in 1i64..4, kind in kind()) {
            let s = Standing { user_id: 1, roles, operator, observer: false };
            if s.is_admin() {
                prop_assert!(s.may_cancel_booking(owner).is_ok());
                prop_assert!(s.may_change_series(owner).is_ok());
                prop_assert!(s.may_book(kind).is_ok());
                prop_assert!(s.sees_booking_details(owner));
            }
            if owner == 1 {
                prop_assert!(s.may_cancel_booking(owner).is_ok());
                prop_assert!(s.sees_booking_details(owner));
            }
            let volunteer_only = roles == Roles::VOLUNTEER && !operator;
            if volunteer_only {
                prop_assert!(s.may_book(kind).is_err());
            }
            // Check-in is the owner's alone, admin or not.
            prop_assert_eq!(s.may_check_in(owner).is_ok(), owner == 1);
        }
    }
}
