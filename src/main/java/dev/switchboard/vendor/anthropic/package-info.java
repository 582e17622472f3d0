/**
 * Anthropic's Messages API ({@code POST /v1/messages}): OpenAI requests become Messages requests, and Messages
 * responses, streams and errors become OpenAI's shapes. Mapping rules follow shared/specs/WIRE-FORMATS.md §2.
 */
package dev.switchboard.vendor.anthropic;
