// A microphone level shown as a bar and as a number, so it does not rely on colour.
export function LevelBar({ level, label }: { level: number; label: string }) {
  const percent = Math.round(Math.max(0, Math.min(1, level)) * 100);
  return (
    <div className="level">
      <span className="level-label">{label}</span>
      <div className="level-track" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div className="level-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="level-value">{percent}%</span>
    </div>
  );
}
