/**
 * Google Gemini (Generative Language API v1beta, {@code generateContent} and {@code streamGenerateContent?alt=sse}):
 * OpenAI requests become {@code GenerateContentRequest}s, and responses, stream chunks and Google error bodies come
 * back in OpenAI's shapes (WIRE-FORMATS.md §3).
 */
package dev.switchboard.vendor.gemini;
