"""Developer tools around the app (never imported by it): the class load test, the headless
Chromium helpers, README screenshots, the presenter first-screen check and the live bench."""
