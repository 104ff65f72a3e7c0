"""Personal-data rights (Law 91/2025/QH15): see everything held about you, ask for a correction or deletion;
deletion anonymises while reports and issued certificates stay; a retention period applied by a command."""
