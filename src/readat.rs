//! Text read at offsets, a piece at a time: a file at the edge, bytes in memory, or a repaired
//! file that is the old bytes plus the edits ([`crate::document::Patched`]). The streaming
//! reader, the write of the temporary copy and the proof of a repair all read through this, so
//! none of them needs a big file held whole a second time.

use std::io;

/// How much a piece-by-piece read or comparison holds at a time: a 256 KiB buffer goes as fast
/// as a bigger one (the kernel copies either way) and stays in the cache.
pub const CHUNK: usize = 256 << 10;

/// Where bytes come from, by offset, from any thread.
pub trait ReadAt: Sync {
    /// Like `pread`: up to `buf.len()` bytes from `at`; 0 at the end.
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize>;
    /// The length now, to tell whether the source changed while it was read.
    fn len_now(&self) -> io::Result<u64>;
    /// The bytes from `at` on, at most `max` of them, where the source holds them in memory in
    /// one piece: a copy or a comparison then takes them where they are, with no copy first
    /// (on a 64 MB repair, two copies of the whole text). `None` (a file): read them.
    fn borrowed_at(&self, _at: u64, _max: usize) -> Option<&[u8]> {
        None
    }
}

impl ReadAt for [u8] {
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize> {
        let rest = usize::try_from(at).ok().and_then(|at| self.get(at..)).unwrap_or_default();
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        Ok(n)
    }
    fn len_now(&self) -> io::Result<u64> {
        Ok(self.len() as u64)
    }
    fn borrowed_at(&self, at: u64, max: usize) -> Option<&[u8]> {
        let rest = self.get(usize::try_from(at).ok()?..)?;
        Some(&rest[..rest.len().min(max)])
    }
}

/// A file read at offsets, from any thread.
pub struct FileAt<'a>(pub &'a std::fs::File);

impl ReadAt for FileAt<'_> {
    #[cfg(unix)]
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self.0, buf, at)
    }
    #[cfg(windows)]
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(self.0, buf, at)
    }
    #[cfg(not(any(unix, windows)))]
    fn read_at(&self, _: &mut [u8], _: u64) -> io::Result<usize> {
        Err(io::ErrorKind::Unsupported.into())
    }
    fn len_now(&self) -> io::Result<u64> {
        Ok(self.0.metadata()?.len())
    }
}

/// Whether `src` holds exactly `expected`: the same bytes, and nothing after them. (Two
/// threads comparing halves were measured no faster: the copy from the page cache is bound by
/// memory, not by a core.)
pub fn holds_exactly<R: ReadAt + ?Sized>(src: &R, expected: &[u8]) -> io::Result<bool> {
    Ok(holds_at(src, 0, expected)? && ends_at(src, expected.len() as u64)?)
}

/// Whether nothing follows `at` in `src`.
fn ends_at<R: ReadAt + ?Sized>(src: &R, at: u64) -> io::Result<bool> {
    loop {
        match src.read_at(&mut [0u8; 1], at) {
            Ok(n) => return Ok(n == 0),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Fills `buf` from `at`; an error when the source ends first.
pub fn fill<R: ReadAt + ?Sized>(src: &R, buf: &mut [u8], at: u64) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        match src.read_at(&mut buf[done..], at + done as u64) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The first `len` bytes of `src`, whole (for small texts: a big one is read piece by piece).
pub fn read_all<R: ReadAt + ?Sized>(src: &R, len: u64) -> io::Result<Vec<u8>> {
    let mut out = vec![0u8; usize::try_from(len).map_err(io::Error::other)?];
    fill(src, &mut out, 0)?;
    Ok(out)
}

/// Whether `src` holds `expected` from `at` on, compared a [`CHUNK`] at a time.
pub fn holds_at<R: ReadAt + ?Sized>(src: &R, at: u64, expected: &[u8]) -> io::Result<bool> {
    holds_at_with(src, at, expected, &mut Vec::new())
}

/// [`holds_at`] reading into `buf` (grown to a [`CHUNK`] at most), for a caller that compares
/// many stretches: the proof of a repair compares one between every two edits.
pub fn holds_at_with<R: ReadAt + ?Sized>(src: &R, at: u64, expected: &[u8], buf: &mut Vec<u8>) -> io::Result<bool> {
    let size = expected.len().min(CHUNK);
    if buf.len() < size {
        buf.resize(size, 0);
    }
    let mut done = 0;
    while done < expected.len() {
        let want = size.min(expected.len() - done);
        if let Some(held) = src.borrowed_at(at + done as u64, want).filter(|h| !h.is_empty()) {
            let expect = &expected[done..done + held.len()];
            // The very bytes expected (a repair's piece of the old text), or equal ones.
            if !(std::ptr::eq(held, expect) || held == expect) {
                return Ok(false);
            }
            done += held.len();
            continue;
        }
        match fill(src, &mut buf[..want], at + done as u64) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(e),
        }
        if buf[..want] != expected[done..done + want] {
            return Ok(false);
        }
        done += want;
    }
    Ok(true)
}

/// Writes all `len_now()` bytes of `src` to `out`, a [`CHUNK`] at a time.
pub fn copy_to<R: ReadAt + ?Sized>(src: &R, out: &mut dyn io::Write) -> io::Result<()> {
    let len = src.len_now()?;
    let mut buf = Vec::new();
    let mut at = 0;
    while at < len {
        let want = CHUNK.min((len - at) as usize);
        if let Some(held) = src.borrowed_at(at, want).filter(|h| !h.is_empty()) {
            out.write_all(held)?;
            at += held.len() as u64;
            continue;
        }
        buf.resize(want, 0);
        fill(src, &mut buf[..want], at)?;
        out.write_all(&buf[..want])?;
        at += want as u64;
    }
    Ok(())
}

/// Gives the bytes it holds, but says it is longer: a source gone wrong, for tests.
#[cfg(test)]
pub(crate) struct EndsEarly(pub &'static [u8], pub u64);

#[cfg(test)]
impl ReadAt for EndsEarly {
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize> {
        self.0.read_at(buf, at)
    }
    fn len_now(&self) -> io::Result<u64> {
        Ok(self.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives at most `step` bytes a read, and an interruption before every other read.
    struct Trickle<'a> {
        text: &'a [u8],
        step: usize,
        calls: std::sync::atomic::AtomicUsize,
    }

    impl ReadAt for Trickle<'_> {
        fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize> {
            if self.calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed).is_multiple_of(2) {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.step);
            self.text.read_at(&mut buf[..n], at)
        }
        fn len_now(&self) -> io::Result<u64> {
            Ok(self.text.len() as u64)
        }
    }

    #[test]
    fn holds_exactly_tells_the_same_bytes_from_any_change_whatever_the_size() {
        for len in [0, 1, 1000, CHUNK, 3 * CHUNK + 3] {
            let text: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            assert!(holds_exactly(&text[..], &text).unwrap(), "{len}");
            let mut longer = text.clone();
            longer.push(b'x');
            assert!(!holds_exactly(&longer[..], &text).unwrap(), "{len}: a byte more");
            if len > 0 {
                assert!(!holds_exactly(&text[..len - 1], &text).unwrap(), "{len}: a byte less");
                // Both ends, and the middle.
                for at in [0, (len / 2).saturating_sub(1), len / 2, len - 1] {
                    let mut changed = text.clone();
                    changed[at] ^= 1;
                    assert!(!holds_exactly(&changed[..], &text).unwrap(), "{len}: changed at {at}");
                }
            }
        }
        // Read a trickle at a time, interrupted, as a file may be.
        let text: Vec<u8> = (0..3 * CHUNK + 1).map(|i| i as u8).collect();
        let src = Trickle { text: &text, step: 100_000, calls: Default::default() };
        assert!(holds_exactly(&src, &text).unwrap());
    }

    #[test]
    fn short_and_interrupted_reads_are_read_on() {
        let text: Vec<u8> = (0..(CHUNK * 2 + 17)).map(|i| (i % 251) as u8).collect();
        let src = Trickle { text: &text, step: 4093, calls: Default::default() };
        assert_eq!(read_all(&src, text.len() as u64).unwrap(), text);
        let mut out = vec![];
        copy_to(&src, &mut out).unwrap();
        assert_eq!(out, text);
        assert!(holds_at(&src, 5, &text[5..]).unwrap());
        assert!(!holds_at(&src, 5, &text[4..]).unwrap(), "a source that ends first does not hold it");
        let mut other = text[5..].to_vec();
        other[CHUNK + 3] ^= 1;
        assert!(!holds_at(&src, 5, &other).unwrap());
        // One buffer for many stretches, whatever it held before.
        let mut buf = vec![7u8; 3];
        assert!(holds_at_with(&src, 5, &text[5..], &mut buf).unwrap());
        assert!(holds_at_with(&src, 0, &text[..10], &mut buf).unwrap());
        assert!(!holds_at_with(&src, 5, &other, &mut buf).unwrap());
    }

    /// Reads only through `read_at`, as a file is read: what a borrowing source must agree with.
    struct NoBorrow<'a, R: ReadAt + ?Sized>(&'a R);

    impl<R: ReadAt + ?Sized> ReadAt for NoBorrow<'_, R> {
        fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize> {
            self.0.read_at(buf, at)
        }
        fn len_now(&self) -> io::Result<u64> {
            self.0.len_now()
        }
    }

    /// A repair's pieces are copied and compared where they lie (no copy of the whole text
    /// first): that gives what reading them gives, and a piece that lies elsewhere is compared
    /// byte by byte, so a change in it is seen.
    #[test]
    fn borrowed_pieces_are_copied_and_compared_as_read_ones() {
        use crate::clients::ServersAt;
        use crate::document::{Edit, Patched};
        let old: Vec<u8> = (0..3 * CHUNK + 11).map(|i| b"abcdefgh"[i % 8]).collect();
        let edits = [Edit { span: 10..12, value: "x".into() }, Edit { span: CHUNK + 5..2 * CHUNK, value: "y".into() }];
        let new = Patched::of(&old, &edits, ServersAt::McpServers);
        let (mut borrowed, mut read) = (vec![], vec![]);
        copy_to(&new, &mut borrowed).unwrap();
        copy_to(&NoBorrow(&new), &mut read).unwrap();
        assert_eq!(borrowed, read);
        assert_eq!(borrowed, new.to_vec());
        // Where the old text goes on after the second edit.
        let at = borrowed.len() - (old.len() - 2 * CHUNK);
        assert!(holds_at(&new, at as u64, &old[2 * CHUNK..]).unwrap());
        // Equal bytes elsewhere in memory, and changed ones.
        let copy = old.clone();
        assert!(holds_at(&new, at as u64, &copy[2 * CHUNK..]).unwrap());
        let mut changed = old.clone();
        changed[old.len() - 1] ^= 1;
        assert!(!holds_at(&new, at as u64, &changed[2 * CHUNK..]).unwrap());
        assert!(!holds_at(&NoBorrow(&new), at as u64, &changed[2 * CHUNK..]).unwrap());
        // Across the end of a piece: the literal after the first stretch.
        assert!(holds_at(&new, 0, b"abcdefghab\"x\"").unwrap());
        assert!(!holds_at(&new, 0, b"abcdefghab\"y\"").unwrap());
        assert!(holds_exactly(&new, &borrowed).unwrap());
    }

    /// A source whose length says more than it gives (a file cut short meanwhile): an error,
    /// never a short copy taken for the whole.
    #[test]
    fn a_source_that_ends_early_is_an_error() {
        let short = EndsEarly(b"abc", 10);
        let mut out = vec![];
        assert_eq!(copy_to(&short, &mut out).unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(read_all(&short, 10).unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }
}
