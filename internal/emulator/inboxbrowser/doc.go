// Package inboxbrowser holds the real-browser test of the emulator's inbox
// page (browser_test.go): it drives headless Chromium through chromedp and
// asserts what a person sees. It is a package of its own so that chromedp
// is linked into that test alone, not into the emulator package's tests.
package inboxbrowser
