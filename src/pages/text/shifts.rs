//! The words of journey 4, front-desk staff: my shifts, offering and taking one.
//! zh-CN first, English second; fields in the order the page shows them.

pub struct Shifts {}

pub const ZH: Shifts = Shifts {};

pub const EN: Shifts = Shifts {};
