// Package explain turns error text into the causes that explain it: first the facts the text holds
// (registry references, HTTP statuses and the requests they answered, the tool that printed it, Entra and
// ACR codes, network error forms) and what this machine knows about the registry, then rules that rank
// causes from those facts, each with the evidence it rests on. With no evidence it says "unknown".
package explain
