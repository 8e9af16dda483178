"""Village posters: each village's officer, phone and the bot's QR code on a printable A4 page.

`content` gathers what a poster says, `layout` places it on the page once, and the `pdf` and
`png` renderers draw that same layout, so the print and the picture look alike."""
