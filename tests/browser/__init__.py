"""Real-browser tests (marker ``browser``): Chromium via Playwright, Firefox ESR via puppeteer-core."""
