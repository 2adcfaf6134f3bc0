//! Predict, then check: a mode for class. The page shows a composition from
//! the current sample; the student says allowed or forbidden (and may pick a
//! charge for each element); then the page says whether that was right,
//! checks the charges picked, explains the composition and shows where it
//! sits on the map. A running score is kept. The sequence is drawn from the
//! sample by a seed the link carries (`quiz=7`), so a class opening the same
//! link meets the same compositions in the same order.

use super::{Panel, Session};
use crate::chem::Composition;
use crate::filter::{charge, pauling_test};
use crate::label::Category;
use crate::pipeline::OxSource;
use crate::reduce::random::Random;

/// The purpose a quiz's generator is forked for (its stream is its own).
const QUIZ_STREAM: u64 = 0x7175_697A;

/// An answer given.
#[derive(Debug, Clone, PartialEq)]
pub struct QuizAnswer {
    pub formula: String,
    pub said_allowed: bool,
    pub category: Category,
    /// The charges picked, one per element in the formula's order, if any.
    pub charges: Option<Vec<i8>>,
}

impl QuizAnswer {
    pub fn right(&self) -> bool {
        self.said_allowed == self.category.allowed()
    }
}

#[derive(Debug, Default)]
pub(super) struct QuizPanel {
    /// (sample key, seed) the answers below are for.
    for_sample: Option<(String, u64)>,
    position: usize,
    answers: Vec<QuizAnswer>,
    /// The answer to the composition on screen, once given.
    answered: Option<QuizAnswer>,
}

/// What the quiz panel shows.
#[derive(Debug, Clone, PartialEq)]
pub enum QuizView {
    /// The sample is not there yet.
    Preparing,
    Question {
        /// 1-based.
        number: usize,
        formula: String,
        /// Per element: its symbol and the states a charge may be picked
        /// from (empty when the set is an uploaded file).
        elements: Vec<(String, Vec<i8>)>,
        answered: Option<QuizAnswer>,
        /// What the picked charges do, in words.
        charges_note: Option<String>,
        right: usize,
        asked: usize,
    },
}

impl Session {
    /// The sample the quiz draws from (the settings' own, once sampled)
    /// with its key and the quiz's seed.
    fn quiz_sample(&self) -> Option<(std::rc::Rc<super::stages::SampleData>, (String, u64))> {
        let sample = self.caches.sample(&self.sample_settings())?;
        let key = (super::stages::sample_key(&sample.settings), self.state.quiz);
        Some((sample, key))
    }

    /// Position `p` of the quiz's sequence: the sample shuffled (Fisher-Yates,
    /// front first) by the repo's own generator, so a seed is one sequence.
    fn quiz_item(&self, p: usize) -> Option<(String, Category)> {
        let (sample, _) = self.quiz_sample()?;
        let n = sample.formulas.len();
        if n == 0 {
            return None;
        }
        let p = p % n;
        let mut order: Vec<u32> = (0..n as u32).collect();
        let mut rng = Random::fork(self.state.quiz, QUIZ_STREAM);
        for i in 0..=p {
            let j = i + rng.below((n - i) as u32) as usize;
            order.swap(i, j);
        }
        let row = order[p] as usize;
        Some((sample.formulas[row].clone(), sample.categories[row]))
    }

    /// The quiz's progress, reset when its sample or seed changed.
    fn quiz_progress(&mut self) {
        let key = self.quiz_sample().map(|(_, k)| k);
        if key.is_some() && self.quiz.for_sample != key {
            self.quiz = QuizPanel {
                for_sample: key,
                ..QuizPanel::default()
            };
        }
    }

    fn quiz_position(&self) -> usize {
        match (&self.quiz.for_sample, self.quiz_sample()) {
            (Some(k), Some((_, key))) if *k == key => self.quiz.position,
            _ => 0,
        }
    }

    pub(super) fn quiz_answer(&mut self, said_allowed: bool, charges: Option<Vec<i8>>) {
        self.quiz_progress();
        if self.quiz.answered.is_some() {
            return;
        }
        let Some((formula, category)) = self.quiz_item(self.quiz.position) else {
            return;
        };
        let answer = QuizAnswer {
            formula: formula.clone(),
            said_allowed,
            category,
            charges,
        };
        self.quiz.answers.push(answer.clone());
        self.quiz.answered = Some(answer);
        // The explanation opens, and the composition is ringed on the map.
        self.change(|s| s.focus = Some(formula));
        self.render(Panel::Quiz);
    }

    pub(super) fn quiz_next(&mut self) {
        self.quiz_progress();
        self.quiz.position += 1;
        self.quiz.answered = None;
        self.change(|s| s.focus = None);
        self.render(Panel::Quiz);
    }

    /// The quiz panel.
    pub fn quiz(&self) -> QuizView {
        let current = self
            .quiz_sample()
            .is_some_and(|(_, key)| self.quiz.for_sample.as_ref() == Some(&key));
        let position = self.quiz_position();
        let Some((formula, _)) = self.quiz_item(position) else {
            return QuizView::Preparing;
        };
        let Ok(c) = Composition::parse(&formula) else {
            return QuizView::Preparing;
        };
        let builtin = match self.chem_settings().ox {
            OxSource::Builtin { name } => crate::data::OxidationSet::from_name(&name),
            OxSource::Uploaded { .. } => None,
        };
        let elements = c
            .parts_in_formula_order()
            .iter()
            .map(|&(e, _)| {
                let states = builtin.map_or(Vec::new(), |s| s.states().of(e).to_vec());
                (e.symbol().to_string(), states)
            })
            .collect();
        let answered = self.quiz.answered.clone().filter(|_| current);
        let charges_note = answered
            .as_ref()
            .and_then(|a| a.charges.as_ref())
            .map(|q| charges_note(&c, q));
        let answers: &[QuizAnswer] = if current { &self.quiz.answers } else { &[] };
        QuizView::Question {
            number: position + 1,
            formula,
            elements,
            answered,
            charges_note,
            right: answers.iter().filter(|a| a.right()).count(),
            asked: answers.len(),
        }
    }
}

/// Whether charges `q` (one per element) make `c` neutral and
/// electronegativity-balanced, in a sentence.
pub fn charges_note(c: &Composition, q: &[i8]) -> String {
    let parts = c.parts_in_formula_order();
    let amounts: Vec<u32> = parts.iter().map(|&(_, a)| a).collect();
    if q.len() != amounts.len() {
        return "Pick a charge for every element.".into();
    }
    let total = charge(q, &amounts);
    let enegs: Vec<Option<f64>> = parts.iter().map(|&(e, _)| e.pauling_eneg()).collect();
    let written: Vec<String> = parts
        .iter()
        .zip(q)
        .map(|(&(e, a), &q)| {
            let q = if q > 0 {
                format!("+{q}")
            } else {
                q.to_string()
            };
            if a == 1 {
                format!("{e}({q})")
            } else {
                format!("{e}({q})x{a}")
            }
        })
        .collect();
    let sum = written.join(" + ");
    if total != 0 {
        let t = if total > 0 {
            format!("+{total}")
        } else {
            total.to_string()
        };
        return format!("Your charges {sum} add up to {t}, not 0: not neutral.");
    }
    if pauling_test(q, &enegs) {
        format!(
            "Your charges {sum} add up to 0 and every cation is less electronegative than every anion: they pass both tests."
        )
    } else {
        format!(
            "Your charges {sum} add up to 0, but a cation is at least as electronegative as an anion: they fail the electronegativity test."
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Charges by element symbol, in the composition's own element order.
    fn note(formula: &str, by_symbol: &[(&str, i8)]) -> String {
        let c = Composition::parse(formula).unwrap();
        let q: Vec<i8> = c
            .parts_in_formula_order()
            .iter()
            .map(|&(e, _)| by_symbol.iter().find(|(s, _)| *s == e.symbol()).unwrap().1)
            .collect();
        charges_note(&c, &q)
    }

    #[test]
    fn picked_charges_are_checked_as_smact_would() {
        assert!(note("ZnO", &[("Zn", 2), ("O", -2)]).contains("pass both tests"));
        assert!(note("ZnO", &[("Zn", 1), ("O", -2)]).contains("add up to -1, not 0"));
        // Neutral, but O as the cation and Zn as the anion.
        assert!(note("ZnO", &[("Zn", -2), ("O", 2)]).contains("fail the electronegativity test"));
        assert!(note("Zn2O", &[("Zn", 1), ("O", -2)]).contains("Zn(+1)x2"));
        let zno = Composition::parse("ZnO").unwrap();
        assert_eq!(charges_note(&zno, &[2]), "Pick a charge for every element.");
    }
}
