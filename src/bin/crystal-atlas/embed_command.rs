//! embed: compositional embeddings of a list of formulas, written as raw
//! float32 for the reducers and the outside checks.

use std::borrow::Cow;
use std::io::Write;
use std::time::Instant;

use crystal_atlas::Composition;
use crystal_atlas::data::embeddings::{EMBEDDINGS, ElementEmbedding, EmbeddingInfo};
use crystal_atlas::embed::{EmbedBatch, PoolingStat, embed_batch_on, feature_len};
use crystal_atlas::parallel::Pool;

use crate::args::{Args, CliError};
use crate::io::{
    self, MAX_EMBEDDING_FILE_BYTES, MAX_FORMULA_FILE_BYTES, MAX_FORMULA_LINES, MAX_MATRIX_VALUES,
    Named, out,
};

pub fn embed(mut args: Args) -> Result<(), CliError> {
    if args.switch("list") {
        args.finish()?;
        return list();
    }
    let embedding_name =
        args.required("embedding", "an embedding name such as mat2vec; see --list")?;
    let embedding = load_embedding(&embedding_name)?;
    // A compiled-in name is no file; a .bin path is an input.
    let embedding_path = match embedding {
        Cow::Owned(_) => embedding_name.as_str(),
        Cow::Borrowed(_) => "",
    };
    let stats = PoolingStat::parse_list(&args.value("stats").unwrap_or_else(|| "mean".to_string()))
        .map_err(|e| CliError(format!("--stats: {e}")))?;
    let standardise = args.switch("standardise");
    let formulas_path = args.required("formulas", "a file with one formula per line")?;
    let out_path = args.required("out", "the .f32 file to write")?;
    let kept_path = args.value("kept");
    let time = args.switch("time");
    let threads = crate::reduce_command::threads(&mut args)?;
    args.finish()?;
    let mut outputs = vec![Named {
        flag: "--out",
        path: &out_path,
    }];
    outputs.extend(kept_path.as_deref().map(|path| Named {
        flag: "--kept",
        path,
    }));
    io::refuse_overwrites(
        &[
            Named {
                flag: "--formulas",
                path: &formulas_path,
            },
            Named {
                flag: "--embedding",
                path: embedding_path,
            },
        ],
        &outputs,
    )?;

    let rows = read_formulas(&formulas_path)?;
    let width = feature_len(&embedding, &stats);
    if rows.len().saturating_mul(width) > MAX_MATRIX_VALUES {
        return Err(CliError(format!(
            "embed: {} formulas x {width} values would be more than the {MAX_MATRIX_VALUES} float32 values (1 GiB) written at once; split --formulas or use fewer --stats",
            rows.len()
        )));
    }
    let compositions: Vec<Composition> = rows.iter().map(|r| r.composition.clone()).collect();
    let started = Instant::now();
    let batch = embed_batch_on(
        &Pool::new(threads),
        &compositions,
        &embedding,
        &stats,
        standardise,
    );
    let elapsed = started.elapsed();

    write_matrix(&out_path, &batch)?;
    if let Some(path) = &kept_path {
        let lines = batch
            .kept_rows
            .iter()
            .map(|&i| format!("{}\n", rows[i].line));
        io::write_file("--kept", path, lines)?;
    }
    report(&batch, &rows, &embedding, &out_path);
    if time {
        io::note(&format!(
            "embed: {} formulas in {:.1} ms",
            rows.len(),
            elapsed.as_secs_f64() * 1e3
        ));
    }
    Ok(())
}

fn list() -> Result<(), CliError> {
    for info in &EMBEDDINGS {
        let origin = if info.in_paper { "paper" } else { "extra" };
        let built_in = if info.embedded_bytes().is_some() {
            ""
        } else {
            " (not in this build: pass its .bin file)"
        };
        out(&format!(
            "{}\t{}\t{origin}\t{}{built_in}\t{}",
            info.name, info.dim, info.description, info.citation
        ))?;
    }
    Ok(())
}

/// A registry name compiled into this build, or a `.bin` file written by
/// `scripts/import-data` (how builds without all twenty read the others).
pub fn load_embedding(name: &str) -> Result<Cow<'static, ElementEmbedding>, CliError> {
    if let Some(info) = EmbeddingInfo::from_name(name)
        && let Some(embedding) = info.embedded()
    {
        return Ok(Cow::Borrowed(embedding));
    }
    let names: Vec<&str> = EMBEDDINGS.iter().map(|e| e.name).collect();
    let bytes = io::read_capped(name, MAX_EMBEDDING_FILE_BYTES, None).map_err(|e| {
        let why = match e {
            io::ReadError::Io(_) if EmbeddingInfo::from_name(name).is_some() => format!(
                "'{name}' is not compiled into this build; pass its file, data/embeddings/{name}.bin"
            ),
            io::ReadError::Io(e) => format!(
                "'{name}' is neither an embedding ({}) nor a readable file ({e})",
                names.join(", ")
            ),
            limit => format!("'{name}': {limit}; the largest embedding file is 0.3 MB"),
        };
        CliError(format!("--embedding: {why}"))
    })?;
    let stem = std::path::Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(name);
    let embedding = ElementEmbedding::from_bytes(stem, &bytes)
        .map_err(|e| CliError(format!("--embedding '{name}': {e}")))?;
    Ok(Cow::Owned(embedding))
}

/// A formula of the input and its 1-based line in the file.
struct FormulaRow {
    line: usize,
    text: String,
    composition: Composition,
}

/// One formula per line, or a CSV/TSV whose header names a `formula` column.
/// Blank lines and `#` comments are skipped; line numbers count every line.
fn read_formulas(path: &str) -> Result<Vec<FormulaRow>, CliError> {
    let bytes = io::read_capped(path, MAX_FORMULA_FILE_BYTES, Some(MAX_FORMULA_LINES)).map_err(
        |e| match e {
            io::ReadError::Io(e) => CliError(format!("--formulas '{path}': cannot read ({e})")),
            limit => CliError(format!("--formulas '{path}': {limit}; split the list")),
        },
    )?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError(format!("--formulas '{path}': not UTF-8 text")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .peekable();
    let mut column = None;
    if let Some(&(_, first)) = lines.peek()
        && first.contains([',', '\t'])
    {
        let cells: Vec<&str> = split_row(first).collect();
        if Composition::parse(cells[0]).is_err() {
            let c = cells.iter().position(|c| c.eq_ignore_ascii_case("formula")).ok_or_else(|| {
                CliError(format!(
                    "--formulas '{path}': the header '{}' has no 'formula' column; name it 'formula' or give one formula per line",
                    first.chars().take(80).collect::<String>()
                ))
            })?;
            column = Some(c);
            lines.next();
        }
    }
    let mut rows = Vec::new();
    for (i, line) in lines {
        let text = split_row(line)
            .nth(column.unwrap_or(0))
            .unwrap_or("")
            .to_string();
        let composition = Composition::parse(&text).map_err(|e| {
            CliError(format!(
                "--formulas '{path}': line {}: '{text}': {e}",
                i + 1
            ))
        })?;
        rows.push(FormulaRow {
            line: i + 1,
            text,
            composition,
        });
    }
    if rows.is_empty() {
        return Err(CliError(format!(
            "--formulas '{path}': no formulas; give one per line, e.g. ZnO"
        )));
    }
    Ok(rows)
}

fn split_row(line: &str) -> impl Iterator<Item = &str> {
    line.split([',', '\t'])
        .map(|c| c.trim().trim_matches('"').trim())
}

fn write_matrix(path: &str, batch: &EmbedBatch) -> Result<(), CliError> {
    io::write_file("--out", path, batch.matrix.iter().map(|v| v.to_le_bytes()))
}

/// Left-out rows, one per line, then a summary, all on stderr.
fn report(batch: &EmbedBatch, rows: &[FormulaRow], embedding: &ElementEmbedding, out_path: &str) {
    let mut err = std::io::stderr().lock();
    let name = embedding.name();
    for &(i, element) in &batch.left_out {
        let row = &rows[i];
        let _ = writeln!(
            err,
            "embed: line {}: {} left out: {name} has no vector for {element}",
            row.line, row.text
        );
    }
    let (n, width) = batch.matrix.dim();
    let _ = writeln!(
        err,
        "embed: {} formulas, {n} rows of {width} float32 written to {out_path}, {} left out (elements {name} lacks)",
        rows.len(),
        batch.left_out.len()
    );
    let non_finite = batch.matrix.iter().filter(|v| !v.is_finite()).count();
    if non_finite > 0 {
        let _ = writeln!(
            err,
            "embed: {non_finite} values are NaN or infinite, as in ElementEmbeddings: geometric and harmonic means need positive components"
        );
    }
}
