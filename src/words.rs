//! Words in the reader's language, Chinese (the default) or English: one
//! helper for the mail ([`crate::notify`]) and the wall board
//! ([`crate::pages::board`]), so a weekday or an urgency reads the same in
//! a message as on the wall.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::domain::booking::Urgency;
use crate::domain::person::Language;

/// Words that differ by language.
#[derive(Clone, Copy, Debug)]
pub struct Words {
    pub language: Language,
}

impl Words {
    pub fn new(language: Language) -> Words {
        Words { language }
    }

    fn zh(self) -> bool {
        self.language == Language::ZhCn
    }

    /// The `lang` attribute of a page or message in this language.
    pub fn code(self) -> &'static str {
        self.language.code()
    }

    /// Picks the sentence for the reader's language.
    pub fn pick(self, zh: impl Into<String>, en: impl Into<String>) -> String {
        if self.zh() { zh.into() } else { en.into() }
    }

    /// [`Words::pick`] for fixed words, without making a `String` (the
    /// board says many of them on every refresh).
    pub fn word(self, zh: &'static str, en: &'static str) -> &'static str {
        if self.zh() { zh } else { en }
    }

    /// The short name of the date's weekday: "周一", "Mon".
    pub fn weekday(self, date: NaiveDate) -> &'static str {
        const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
        const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let i = date.weekday().num_days_from_monday() as usize;
        self.word(ZH[i], EN[i])
    }

    /// An urgency as people say it. English readers see the word they
    /// chose in the API (`urgent`); Chinese readers its Chinese name.
    pub fn urgency(self, urgency: Urgency) -> &'static str {
        let zh = match urgency {
            Urgency::Routine => "常规",
            Urgency::Priority => "优先",
            Urgency::Urgent => "紧急",
            Urgency::Emergency => "特急",
        };
        self.word(zh, urgency.code())
    }

    /// One instant in the site's zone: "2026-11-23 周一 15:30",
    /// "Mon 23 Nov 2026, 15:30".
    pub fn instant(self, tz: Tz, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&tz);
        let weekday = self.weekday(local.date_naive());
        if self.zh() {
            format!("{} {weekday} {}", local.format("%Y-%m-%d"), local.format("%H:%M"))
        } else {
            format!(
                "{weekday} {} {}",
                local.format("%-d %b %Y,"),
                local.format("%H:%M")
            )
        }
    }

    /// A time range in the site's zone: "2026-11-23 周一 15:30–16:15",
    /// "Mon 23 Nov 2026, 15:30–16:15". The end's date is said only when
    /// it is another day.
    pub fn range(self, tz: Tz, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
        let s = start.with_timezone(&tz);
        let e = end.with_timezone(&tz);
        let same_day = s.date_naive() == e.date_naive();
        let end_fmt = if same_day {
            e.format("%H:%M").to_string()
        } else {
            e.format("%Y-%m-%d %H:%M").to_string()
        };
        let weekday = self.weekday(s.date_naive());
        if self.zh() {
            format!(
                "{} {weekday} {}–{end_fmt}",
                s.format("%Y-%m-%d"),
                s.format("%H:%M")
            )
        } else {
            format!(
                "{weekday} {} {}–{end_fmt}",
                s.format("%-d %b %Y,"),
                s.format("%H:%M")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 20, 12: an expiry is one instant, not a range "11:24-11:24".
    #[test]
    fn an_instant_reads_as_one_time() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let t = DateTime::parse_from_rfc3339("2026-11-23T11:24:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(Words::new(Language::ZhCn).instant(tz, t), "2026-11-23 周一 11:24");
        assert_eq!(Words::new(Language::En).instant(tz, t), "Mon 23 Nov 2026, 11:24");
    }

    #[test]
    fn ranges_read_naturally() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let start = DateTime::parse_from_rfc3339("2026-11-23T15:30:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let end = start + chrono::Duration::minutes(45);
        assert_eq!(
            Words::new(Language::ZhCn).range(tz, start, end),
            "2026-11-23 周一 15:30–16:15"
        );
        assert_eq!(
            Words::new(Language::En).range(tz, start, end),
            "Mon 23 Nov 2026, 15:30–16:15"
        );
        let overnight = start + chrono::Duration::hours(10);
        assert_eq!(
            Words::new(Language::En).range(tz, start, overnight),
            "Mon 23 Nov 2026, 15:30–2026-11-24 01:30"
        );
    }

    #[test]
    fn english_weekdays_match_chrono() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        for i in 0..7 {
            let date = monday + chrono::Duration::days(i);
            assert_eq!(
                Words::new(Language::En).weekday(date),
                date.format("%a").to_string()
            );
        }
    }

    #[test]
    fn urgencies_in_both_languages() {
        assert_eq!(Words::new(Language::ZhCn).urgency(Urgency::Emergency), "特急");
        assert_eq!(Words::new(Language::En).urgency(Urgency::Emergency), "emergency");
    }
}
