import type { ComponentPropsWithRef } from 'react';

export interface ButtonProps extends ComponentPropsWithRef<'button'> {
  variant?: 'default' | 'primary' | 'danger' | 'ghost';
  /** `icon` is a square button holding one glyph (its accessible name comes from `aria-label`). */
  size?: 'md' | 'small' | 'icon';
}

/** The one button look: pick a variant and a size (their styles are the `.btn-*` classes of app.css). */
export function Button({ variant = 'default', size = 'md', className, type = 'button', ...props }: ButtonProps) {
  return (
    <button type={type} className={`btn btn-${variant} btn-${size}${className ? ` ${className}` : ''}`} {...props} />
  );
}
